//! The compiled release: a tender's releases merged by the OCDS 1.1 merge rules, as the
//! standard's own tools (ocdsmerge, `ocdskit compile`) merge them.
//!
//! Releases are taken in the order of their dates; each is flattened into paths, where an
//! object in an array is named by its `id` (identifier merge), and a later value replaces an
//! earlier one at the same path. Arrays of anything but objects, and the arrays the schema
//! marks `wholeListMerge`, are values themselves. A release's `id`, `date` and `tag` are left
//! out (`omitWhenMerged`); the compiled release gets the tag `compiled`, the newest date, and
//! the id `<ocid>-<date>`. A `null` removes a field that holds a value, not an object whose
//! fields an earlier release set (as ocdsmerge does); an object whose every field releases
//! removed is left out (ocdsmerge keeps it as `{}`, an empty field OCDS does not allow).

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The paths (array positions left out) that OCDS 1.1.5's release schema marks
/// `wholeListMerge` and that a Ganbridge release can hold.
const WHOLE_LIST: &[&[&str]] = &[
    &["tender", "items", "additionalClassifications"],
    &["awards", "items", "additionalClassifications"],
    &["parties", "additionalIdentifiers"],
    &["parties", "roles"],
    &["buyer", "additionalIdentifiers"],
    &["tender", "procuringEntity", "additionalIdentifiers"],
    &["tender", "tenderers", "additionalIdentifiers"],
    &["tender", "amendments", "changes"],
    &["tender", "submissionMethod"],
    &["tender", "additionalProcurementCategories"],
    &["awards", "suppliers", "additionalIdentifiers"],
    &["awards", "amendments", "changes"],
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Key(String),
    /// An object of an array, by its identifier.
    Item(String),
}

/// Flattened values in the order their paths were first seen.
#[derive(Default)]
struct Flat {
    entries: Vec<(Vec<Part>, Value)>,
    index: HashMap<Vec<Part>, usize>,
    /// The `id` an array's object carried, by the path that names the object.
    ids: HashMap<Vec<Part>, Value>,
    anonymous: u64,
}

impl Flat {
    fn set(&mut self, path: Vec<Part>, value: Value) {
        match self.index.get(&path) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(path.clone(), self.entries.len());
                self.entries.push((path, value));
            }
        }
    }

    fn flatten(&mut self, object: &Map<String, Value>, path: &[Part], rules: &[&str]) {
        for (key, value) in object {
            let mut rule_path = rules.to_vec();
            rule_path.push(key.as_str());
            if rule_path.len() == 1 && matches!(key.as_str(), "id" | "date" | "tag") {
                continue;
            }
            let mut here = path.to_vec();
            here.push(Part::Key(key.clone()));
            self.value(value, here, &rule_path);
        }
    }

    fn value(&mut self, value: &Value, here: Vec<Part>, rule_path: &[&str]) {
        let whole = WHOLE_LIST.contains(&rule_path);
        match value {
            Value::Object(o) if !whole => {
                if !o.is_empty() {
                    self.flatten(o, &here, rule_path);
                }
            }
            Value::Array(items) if !whole && items.iter().all(Value::is_object) => {
                for item in items {
                    let Value::Object(o) = item else { continue };
                    let identifier = match o.get("id") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => {
                            self.anonymous += 1;
                            format!("\u{0}{}", self.anonymous)
                        }
                        Some(other) => other.to_string(),
                    };
                    let mut at = here.clone();
                    at.push(Part::Item(identifier));
                    if let Some(id) = o.get("id") {
                        self.ids.entry(at.clone()).or_insert_with(|| id.clone());
                    }
                    if !o.is_empty() {
                        self.flatten(o, &at, rule_path);
                    }
                }
            }
            other => self.set(here, other.clone()),
        }
    }

    fn unflatten(self) -> Value {
        let mut root = Value::Object(Map::new());
        for (path, value) in self.entries {
            let mut node = &mut root;
            for (end, part) in path.iter().enumerate() {
                let last = end + 1 == path.len();
                match part {
                    Part::Item(identifier) => {
                        let Value::Array(items) = node else { break };
                        let prefix = &path[..=end];
                        let position = items.iter().position(|item| {
                            item.get("\u{0}path").and_then(Value::as_str) == Some(identifier)
                        });
                        let position = match position {
                            Some(p) => p,
                            None => {
                                let mut object = Map::new();
                                // A marker to find the object again, removed at the end.
                                object
                                    .insert("\u{0}path".into(), Value::String(identifier.clone()));
                                if let Some(id) = self.ids.get(prefix) {
                                    object.insert("id".into(), id.clone());
                                }
                                items.push(Value::Object(object));
                                items.len() - 1
                            }
                        };
                        node = &mut items[position];
                    }
                    Part::Key(key) => {
                        let Value::Object(object) = node else { break };
                        if object.contains_key(key) {
                            node = object.get_mut(key).unwrap_or_else(|| unreachable!());
                        } else if !last {
                            let fresh = match path[end + 1] {
                                Part::Item(_) => Value::Array(Vec::new()),
                                Part::Key(_) => Value::Object(Map::new()),
                            };
                            node = object.entry(key.clone()).or_insert(fresh);
                        } else {
                            if !value.is_null() {
                                object.insert(key.clone(), value.clone());
                            }
                            break;
                        }
                    }
                }
            }
        }
        strip_markers(&mut root);
        root
    }
}

fn strip_markers(value: &mut Value) {
    match value {
        Value::Object(o) => {
            o.remove("\u{0}path");
            o.values_mut().for_each(strip_markers);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_markers),
        _ => {}
    }
}

/// The compiled release of one ocid's releases.
pub fn compile(releases: &[Value]) -> Value {
    let mut sorted: Vec<&Value> = releases.iter().collect();
    sorted.sort_by(|a, b| {
        let date = |r: &Value| {
            r.get("date")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        date(a).cmp(&date(b))
    });
    let mut flat = Flat::default();
    flat.set(
        vec![Part::Key("tag".into())],
        Value::Array(vec![Value::String("compiled".into())]),
    );
    for release in sorted {
        let Value::Object(object) = release else {
            continue;
        };
        let ocid = object.get("ocid").cloned().unwrap_or(Value::Null);
        let date = object.get("date").cloned().unwrap_or(Value::Null);
        flat.set(
            vec![Part::Key("id".into())],
            Value::String(format!(
                "{}-{}",
                ocid.as_str().unwrap_or_default(),
                date.as_str().unwrap_or_default()
            )),
        );
        flat.set(vec![Part::Key("date".into())], date);
        flat.set(vec![Part::Key("ocid".into())], ocid);
        flat.flatten(object, &[], &[]);
    }
    let mut compiled = flat.unflatten();
    drop_emptied(&mut compiled);
    compiled
}

/// Removes the objects that releases emptied: a value withdrawn from disclosure is published
/// as `{"amount": null, "currency": null}` (the schema does not let `value` be null), which
/// ocdsmerge compiles to `{}`; OCDS has no empty fields, so the compiled release leaves it out.
fn drop_emptied(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.values_mut().for_each(drop_emptied);
            object.retain(|_, v| !matches!(v, Value::Object(o) if o.is_empty()));
        }
        Value::Array(items) => items.iter_mut().for_each(drop_emptied),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_values_win_objects_in_arrays_merge_by_id_and_null_removes() {
        let first = json!({
            "ocid": "ocds-abcdef-1", "id": "1", "date": "2026-01-01T00:00:00.000000Z",
            "tag": ["tender"], "tender": { "title": "A", "value": { "amount": 1 }, "description": "gone",
                "items": [{ "id": "1", "description": "x", "additionalClassifications": [{ "id": "a" }] }] },
            "parties": [{ "id": "p", "name": "P", "roles": ["buyer"] }],
        });
        let second = json!({
            "ocid": "ocds-abcdef-1", "id": "2", "date": "2026-01-02T00:00:00.000000Z",
            "tag": ["tenderUpdate"], "tender": { "title": "B", "value": null, "description": null,
                "items": [{ "id": "1", "additionalClassifications": [{ "id": "b" }] }] },
            "parties": [{ "id": "q", "name": "Q", "roles": ["supplier"] }, { "id": "p", "roles": ["buyer", "payer"] }],
        });
        // Given out of order: dates decide.
        let compiled = compile(&[second, first]);
        assert_eq!(
            compiled,
            json!({
                "tag": ["compiled"], "id": "ocds-abcdef-1-2026-01-02T00:00:00.000000Z",
                "date": "2026-01-02T00:00:00.000000Z", "ocid": "ocds-abcdef-1",
                "tender": { "title": "B", "value": { "amount": 1 },
                    "items": [{ "id": "1", "description": "x", "additionalClassifications": [{ "id": "b" }] }] },
                "parties": [{ "id": "p", "name": "P", "roles": ["buyer", "payer"] }, { "id": "q", "name": "Q", "roles": ["supplier"] }],
            })
        );
    }
}
