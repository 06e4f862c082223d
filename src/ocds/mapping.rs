//! One kept release in the Open Contracting Data Standard 1.1: the mapping, in one place (the
//! README's "Open data" section has it as a table).

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use sea_orm::ActiveEnum;
use serde_json::{Map, Value, json};

use crate::domain::{CertificationStandard, Currency, Money, ServiceLine};
use crate::services::release::{Amount, Buyer, Change, Release, Snapshot, Supplier, Withdrawn};

/// The classification scheme of the items: Ganbridge's service lines, by their API names.
pub const SERVICE_LINE_SCHEME: &str = "GANBRIDGE-SERVICE-LINE";

/// An instant as OCDS writes it: RFC 3339 in UTC, to the microsecond when it has one.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A release's date: always to the microsecond, so that the releases of a tender sort by
/// their dates as text (as the standard's merge tools sort them) in the order they were made.
pub fn release_date(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A release's id: unique within its ocid.
pub fn release_id(ocid: &str, number: i32) -> String {
    format!("{ocid}-{number}")
}

fn tags(release: &Release) -> Vec<&'static str> {
    match release.change {
        Change::Created => vec!["planning"],
        Change::PlanningUpdated => vec!["planningUpdate"],
        Change::Published => vec!["tender"],
        Change::Amended => vec!["tenderAmendment"],
        Change::Cancelled => vec!["tenderCancellation"],
        Change::ClosedUnsuccessful => vec!["tenderUpdate"],
        Change::Awarded if release.snapshot.award.is_some() => vec!["tenderUpdate", "award"],
        Change::Awarded => vec!["tenderUpdate"],
    }
}

/// A decimal amount and its currency, from stored minor units.
fn value(amount: &Amount) -> Value {
    let decimal = Currency::parse(&amount.currency)
        .map(|c| Money::from_minor(amount.minor, c).amount)
        .ok();
    let number = decimal
        .and_then(|d| d.to_f64())
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .unwrap_or(Value::Null);
    json!({ "amount": number, "currency": amount.currency })
}

/// Sets `key` unless `value` is empty text: OCDS has no empty fields.
fn text(object: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.trim().is_empty() {
        object.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}

fn buyer_party_id(buyer: &Buyer) -> String {
    match &buyer.uscc {
        Some(uscc) => format!("CN-USCI-{uscc}"),
        None => format!("GANBRIDGE-COUNTERPART-{}", buyer.id),
    }
}

fn supplier_party_id(supplier: &Supplier) -> String {
    format!("CN-USCI-{}", supplier.uscc)
}

fn buyer_party(buyer: &Buyer) -> Value {
    let mut party = Map::new();
    party.insert("id".into(), json!(buyer_party_id(buyer)));
    text(&mut party, "name", &buyer.name.en);
    text(&mut party, "name_zh", &buyer.name.zh);
    if let Some(uscc) = &buyer.uscc {
        party.insert(
            "identifier".into(),
            json!({ "scheme": "CN-USCI", "id": uscc, "legalName": buyer.name.en }),
        );
    }
    let mut address = Map::new();
    text(&mut address, "locality", &buyer.city);
    if let Some(area) = &buyer.ftz_area {
        text(&mut address, "region", &area.en);
        text(&mut address, "region_zh", &area.zh);
    }
    if buyer.kind != "foreign_enterprise" {
        address.insert("countryName".into(), json!("China"));
    }
    if !address.is_empty() {
        party.insert("address".into(), Value::Object(address));
    }
    party.insert("roles".into(), json!(["buyer", "procuringEntity"]));
    Value::Object(party)
}

fn supplier_party(supplier: &Supplier, alliance: bool) -> Value {
    let mut roles = vec!["tenderer", "supplier"];
    if alliance && supplier.lead {
        roles.push("leadTenderer");
    }
    let mut party = Map::new();
    party.insert("id".into(), json!(supplier_party_id(supplier)));
    text(&mut party, "name", &supplier.name.en);
    text(&mut party, "name_zh", &supplier.name.zh);
    party.insert(
        "identifier".into(),
        json!({ "scheme": "CN-USCI", "id": supplier.uscc, "legalName": supplier.name.en }),
    );
    party.insert(
        "address".into(),
        json!({
            "locality": supplier.district.en,
            "locality_zh": supplier.district.zh,
            "region": "Jiangxi",
            "region_zh": "江西省",
            "countryName": "China",
        }),
    );
    party.insert("roles".into(), json!(roles));
    Value::Object(party)
}

fn reference(id: String, name: &str) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(id));
    text(&mut object, "name", name);
    Value::Object(object)
}

fn line(stored: &str) -> Option<ServiceLine> {
    ServiceLine::try_from_value(&stored.to_owned()).ok()
}

fn classification(stored: &str) -> Value {
    let (en, zh) = line(stored)
        .map(|l| (l.name_en(), l.name_zh()))
        .unwrap_or((stored, stored));
    json!({
        "scheme": SERVICE_LINE_SCHEME,
        "id": stored.to_ascii_uppercase(),
        "description": en,
        "description_zh": zh,
    })
}

fn items(snapshot: &Snapshot) -> Value {
    let Some(first) = snapshot.service_lines.first() else {
        return json!([]);
    };
    let names = |zh: bool| -> String {
        snapshot
            .service_lines
            .iter()
            .filter_map(|l| line(l))
            .map(|l| if zh { l.name_zh() } else { l.name_en() })
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " })
    };
    let mut item = Map::new();
    item.insert("id".into(), json!("1"));
    text(
        &mut item,
        "description",
        &format!("Services: {}", names(false)),
    );
    text(
        &mut item,
        "description_zh",
        &format!("服务：{}", names(true)),
    );
    // The first line is the item's classification, and every line, the first too, is in
    // `additionalClassifications`: the schema merges that list whole, so a later release that
    // asks for fewer lines replaces it, which a list of the other lines alone could not do
    // once it had to become empty (OCDS has no empty fields).
    item.insert("classification".into(), classification(first));
    item.insert(
        "additionalClassifications".into(),
        Value::Array(
            snapshot
                .service_lines
                .iter()
                .map(|l| classification(l))
                .collect(),
        ),
    );
    Value::Array(vec![Value::Object(item)])
}

/// The eligibility criteria in words, in English and in Chinese.
fn eligibility(snapshot: &Snapshot) -> (String, String) {
    let labels: Vec<&str> = snapshot
        .required_certifications
        .iter()
        .filter_map(|s| CertificationStandard::try_from_value(&s.clone()).ok())
        .map(|s| s.label())
        .collect();
    let mut en = Vec::new();
    let mut zh = Vec::new();
    if !labels.is_empty() {
        en.push(format!(
            "Bidders must hold a certificate in force for each of: {}.",
            labels.join(", ")
        ));
        zh.push(format!(
            "投标企业须持有以下有效认证：{}。",
            labels.join("、")
        ));
    }
    if let Some(min) = snapshot.min_employees {
        en.push(format!("Bidders must employ at least {min} people."));
        zh.push(format!("投标企业员工人数须不少于{min}人。"));
    }
    if en.is_empty() {
        en.push("Open to every service-outsourcing company on Ganbridge.".to_owned());
        zh.push("在Ganbridge登记的服务外包企业均可投标。".to_owned());
    }
    (en.join(" "), zh.join(""))
}

fn amendments(snapshot: &Snapshot) -> Value {
    Value::Array(
        snapshot
            .amendments
            .iter()
            .map(|a| {
                let mut object = Map::new();
                object.insert("id".into(), json!(a.id.to_string()));
                object.insert("date".into(), json!(instant(a.date)));
                if let Some(rationale) = &a.rationale {
                    text(&mut object, "rationale", rationale);
                }
                if !a.changed.is_empty() {
                    text(
                        &mut object,
                        "description",
                        &format!("Changed: {}.", a.changed.join(", ")),
                    );
                }
                if let Some(n) = a.amends_release {
                    object.insert(
                        "amendsReleaseID".into(),
                        json!(release_id(&snapshot.ocid, n)),
                    );
                }
                if let Some(n) = a.release {
                    object.insert("releaseID".into(), json!(release_id(&snapshot.ocid, n)));
                }
                Value::Object(object)
            })
            .collect(),
    )
}

fn tender(snapshot: &Snapshot) -> Value {
    let mut tender = Map::new();
    tender.insert("id".into(), json!(snapshot.ocid));
    text(&mut tender, "title", &snapshot.title.en);
    text(&mut tender, "title_zh", &snapshot.title.zh);
    text(&mut tender, "description", &snapshot.description.en);
    text(&mut tender, "description_zh", &snapshot.description.zh);
    tender.insert("status".into(), json!(snapshot.status));
    tender.insert(
        "procuringEntity".into(),
        reference(buyer_party_id(&snapshot.buyer), &snapshot.buyer.name.en),
    );
    if let Some(amount) = &snapshot.value {
        tender.insert("value".into(), value(amount));
    }
    tender.insert("mainProcurementCategory".into(), json!("services"));
    let items = items(snapshot);
    if items.as_array().is_some_and(|i| !i.is_empty()) {
        tender.insert("items".into(), items);
    }
    let mut period = Map::new();
    if let Some(published) = snapshot.published_at {
        period.insert("startDate".into(), json!(instant(published)));
    }
    period.insert("endDate".into(), json!(instant(snapshot.closes_at)));
    tender.insert("tenderPeriod".into(), Value::Object(period));
    let (en, zh) = eligibility(snapshot);
    tender.insert("eligibilityCriteria".into(), json!(en));
    tender.insert("eligibilityCriteria_zh".into(), json!(zh));
    if !snapshot.amendments.is_empty() {
        tender.insert("amendments".into(), amendments(snapshot));
    }
    // What this change took away is set to `null`, which the merge rules read as "removed"
    // (an object by its fields: the schema does not let `value` itself be null).
    for field in &snapshot.withdrawn {
        let (key, null) = match field {
            Withdrawn::Value => ("value", json!({ "amount": null, "currency": null })),
            Withdrawn::TitleEn => ("title", Value::Null),
            Withdrawn::TitleZh => ("title_zh", Value::Null),
            Withdrawn::DescriptionEn => ("description", Value::Null),
            Withdrawn::DescriptionZh => ("description_zh", Value::Null),
        };
        tender.entry(key).or_insert(null);
    }
    Value::Object(tender)
}

/// The release in OCDS 1.1, with the bid extension's `bids`.
pub fn release(release: &Release) -> Value {
    let snapshot = &release.snapshot;
    let mut parties = vec![buyer_party(&snapshot.buyer)];
    let mut out = Map::new();
    out.insert("ocid".into(), json!(snapshot.ocid));
    out.insert(
        "id".into(),
        json!(release_id(&snapshot.ocid, release.number)),
    );
    out.insert("date".into(), json!(release_date(release.released_at)));
    out.insert("tag".into(), json!(tags(release)));
    out.insert("initiationType".into(), json!("tender"));
    out.insert("language".into(), json!("en"));
    out.insert(
        "buyer".into(),
        reference(buyer_party_id(&snapshot.buyer), &snapshot.buyer.name.en),
    );
    out.insert("tender".into(), tender(snapshot));
    if let Some(award) = &snapshot.award {
        let alliance = award.alliance.is_some();
        parties.extend(award.suppliers.iter().map(|s| supplier_party(s, alliance)));
        let mut object = Map::new();
        object.insert("id".into(), json!(format!("{}-award-1", snapshot.ocid)));
        if let Some(names) = &award.alliance {
            text(
                &mut object,
                "title",
                &format!("Award to the alliance {}", names.en),
            );
            text(&mut object, "title_zh", &format!("授予联合体{}", names.zh));
        }
        object.insert("status".into(), json!("active"));
        object.insert("date".into(), json!(instant(award.date)));
        if let Some(amount) = &award.value {
            object.insert("value".into(), value(amount));
        }
        object.insert(
            "suppliers".into(),
            Value::Array(
                award
                    .suppliers
                    .iter()
                    .map(|s| reference(supplier_party_id(s), &s.name.en))
                    .collect(),
            ),
        );
        out.insert("awards".into(), json!([Value::Object(object)]));
    }
    if let Some(count) = snapshot.bids_received {
        out.insert(
            "bids".into(),
            json!({ "statistics": [{ "id": "1", "measure": "bids", "value": count }] }),
        );
    }
    out.insert("parties".into(), Value::Array(parties));
    Value::Object(out)
}
