//! The crate's map (`src/lib.rs`) held against the code: which layer may import which, and no
//! import circles among the modules of a layer outside the GraphQL type graph. Read from the
//! source as text: every `crate::<module>` a file names, and inside a layer every sibling it
//! names by `crate::<layer>::<sibling>` or `super::<sibling>`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import: the map of `src/lib.rs`.
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("config", &[]),
    ("metrics", &[]),
    ("telemetry", &["config"]),
    ("error", &["domain"]),
    ("entities", &["domain"]),
    ("db", &["config", "metrics"]),
    ("events", &["domain", "error"]),
    ("search", &["config", "domain", "error"]),
    (
        "services",
        &["config", "domain", "entities", "error", "events", "search"],
    ),
    (
        "seed",
        &[
            "config", "domain", "entities", "error", "events", "search", "services",
        ],
    ),
    (
        "graphql",
        &[
            "config", "domain", "entities", "error", "events", "metrics", "search", "services",
        ],
    ),
    ("ocds", &["domain", "error", "services"]),
    ("web", &["domain"]),
    (
        "http",
        &[
            "config", "db", "domain", "error", "graphql", "metrics", "ocds", "search", "services",
            "web",
        ],
    ),
    ("check", &["config", "db", "search"]),
    (
        "app",
        &[
            "config",
            "db",
            "domain",
            "error",
            "events",
            "graphql",
            "http",
            "metrics",
            "ocds",
            "search",
            "seed",
            "services",
            "telemetry",
            "web",
        ],
    ),
];

/// Layers whose modules must not import each other in a circle. (In `graphql`, object types
/// that reference each other are the API's own graph.)
const ACYCLIC: &[&str] = &["services", "search", "http", "seed", "domain"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names that follow each occurrence of `prefix` in `text`.
fn names_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .filter(|(at, _)| {
            // `crate::` itself, not `ganbridge_crate::`.
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Whether the graph has a circle; answers one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(found) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(found);
        }
    }
    None
}

#[test]
fn each_layer_imports_only_what_the_map_allows_and_no_layer_imports_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let allowed: BTreeMap<&str, &[&str]> = MAY_IMPORT.iter().copied().collect();
    let mut refused = Vec::new();
    let mut within: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let layer = parts[0].as_str();
        if matches!(layer, "lib" | "main") {
            continue;
        }
        // Comments name modules without importing them (doc links): only code counts.
        let text: String = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let Some(may) = allowed.get(layer) else {
            refused.push(format!(
                "{}: a module the map does not name",
                relative.display()
            ));
            continue;
        };
        for imported in names_after(&text, "crate::") {
            if imported != layer && !may.contains(&imported) {
                refused.push(format!("{} imports crate::{imported}", relative.display()));
            }
        }
        if parts.len() > 1 {
            // The module of the layer this file belongs to: `services/company/changes.rs` is
            // `company`; `services/mod.rs` is the layer's root, which may name every module.
            let own = parts[1].as_str();
            if own == "mod" {
                continue;
            }
            let mut siblings: BTreeSet<String> = names_after(&text, &format!("crate::{layer}::"))
                .into_iter()
                .map(str::to_owned)
                .collect();
            if parts.len() == 2 {
                siblings.extend(names_after(&text, "super::").into_iter().map(str::to_owned));
            } else if parts.len() == 3 {
                siblings.extend(
                    names_after(&text, "super::super::")
                        .into_iter()
                        .map(str::to_owned),
                );
            }
            siblings.remove(own);
            let module_files: BTreeSet<String> = files
                .iter()
                .filter_map(|f| {
                    let r = f.strip_prefix(&root).ok()?;
                    let mut it = r.iter();
                    (it.next()?.to_string_lossy() == layer).then(|| {
                        it.next()
                            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                    })?
                })
                .collect();
            siblings.retain(|s| module_files.contains(s));
            within
                .entry(layer.to_owned())
                .or_default()
                .entry(own.to_owned())
                .or_default()
                .extend(siblings);
        }
    }
    assert!(
        refused.is_empty(),
        "imports the map forbids:\n{}",
        refused.join("\n")
    );
    let top: BTreeMap<String, BTreeSet<String>> = MAY_IMPORT
        .iter()
        .map(|(m, may)| (m.to_string(), may.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(circle(&top), None, "the map itself has a circle");
    for layer in ACYCLIC {
        if let Some(graph) = within.get(*layer) {
            assert_eq!(
                circle(graph),
                None,
                "modules of {layer} import each other in a circle"
            );
        }
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert!(circle(&graph).is_some());
    graph.get_mut("c").unwrap().clear();
    assert_eq!(circle(&graph), None);
}
