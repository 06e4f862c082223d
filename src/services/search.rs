//! What the search index holds, read from the database: the documents of companies, tenders
//! and parks, built from the services that read them. (Which documents changed is the
//! outbox's, [`super::outbox`].)

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::global_id::{self, Kind};
use crate::domain::{Currency, EmployeeBand, Money, SearchType, today};
use crate::entities::{certification, company, counterpart, park, tender};
use crate::error::AppResult;
use crate::search::normalize::identifier_key;
use crate::search::{DocKey, SearchDocument};
use crate::services::reference::Reference;
use crate::services::{
    company as companies, counterpart as counterparts, park as parks, tender as tenders,
};

/// Every indexed object, for a full rebuild.
pub async fn all_keys(db: &DatabaseConnection) -> AppResult<Vec<DocKey>> {
    let ids =
        |kind: SearchType, ids: Vec<i64>| ids.into_iter().map(move |id| DocKey::new(kind, id));
    async fn ids_of<E: EntityTrait>(db: &DatabaseConnection, id: E::Column) -> AppResult<Vec<i64>> {
        Ok(E::find()
            .select_only()
            .column(id)
            .into_tuple()
            .all(db)
            .await?)
    }
    let company_ids = ids_of::<company::Entity>(db, company::Column::Id).await?;
    let tender_ids = ids_of::<tender::Entity>(db, tender::Column::Id).await?;
    let park_ids = ids_of::<park::Entity>(db, park::Column::Id).await?;
    Ok(ids(SearchType::Company, company_ids)
        .chain(ids(SearchType::Tender, tender_ids))
        .chain(ids(SearchType::Park, park_ids))
        .collect())
}

/// How many objects the index should hold: companies, tenders and parks.
pub async fn object_count(db: &DatabaseConnection) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(company::Entity::find().count(db).await?
        + tender::Entity::find().count(db).await?
        + park::Entity::find().count(db).await?)
}

/// The current documents of these objects, and the keys of those that no longer exist.
pub async fn documents(
    db: &DatabaseConnection,
    reference: &Reference,
    keys: &[DocKey],
) -> AppResult<(Vec<SearchDocument>, Vec<DocKey>)> {
    let wanted: HashSet<DocKey> = keys.iter().copied().collect();
    let of = |kind: SearchType| {
        wanted
            .iter()
            .filter(|k| k.kind == kind)
            .map(|k| k.id)
            .collect::<Vec<_>>()
    };
    let mut documents = Vec::new();
    documents.extend(company_documents(db, reference, &of(SearchType::Company)).await?);
    documents.extend(tender_documents(db, &of(SearchType::Tender)).await?);
    documents.extend(park_documents(db, reference, &of(SearchType::Park)).await?);
    let found: HashSet<DocKey> = documents
        .iter()
        .filter_map(SearchDocument::doc_key)
        .collect();
    let missing = wanted.into_iter().filter(|k| !found.contains(k)).collect();
    Ok((documents, missing))
}

use crate::domain::enum_code as code;

fn district_names(reference: &Reference, district_id: i64) -> (Option<String>, Vec<String>) {
    match reference.district(district_id) {
        Some(d) => (
            Some(code(d.code)),
            vec![d.name_en.clone(), d.name_zh.clone()],
        ),
        None => (None, Vec::new()),
    }
}

fn line_names(lines: &[crate::domain::ServiceLine]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in lines {
        names.push(line.name_en().to_owned());
        names.push(line.name_zh().to_owned());
        for name in line.family().names() {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

async fn company_documents(
    db: &DatabaseConnection,
    reference: &Reference,
    ids: &[i64],
) -> AppResult<Vec<SearchDocument>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = companies::by_ids(db, ids).await?;
    let lines = companies::service_lines(db, ids).await?;
    let held: Vec<certification::Model> = certification::Entity::find()
        .filter(certification::Column::CompanyId.is_in(ids.iter().copied()))
        .filter(companies::in_force(today()))
        .all(db)
        .await?;
    let mut certifications: HashMap<i64, Vec<String>> = HashMap::new();
    let mut numbers: HashMap<i64, Vec<String>> = HashMap::new();
    for c in held {
        let list = certifications.entry(c.company_id).or_default();
        let value = code(c.standard);
        if !list.contains(&value) {
            list.push(value);
        }
        numbers
            .entry(c.company_id)
            .or_default()
            .push(identifier_key(&c.certificate_number));
    }
    let park_ids: Vec<i64> = found.values().filter_map(|c| c.park_id).collect();
    let park_rows = parks::by_ids(db, &park_ids).await?;
    let mut out = Vec::with_capacity(found.len());
    for (id, c) in found {
        let (district, mut district_names) = district_names(reference, c.district_id);
        let park = c.park_id.and_then(|p| park_rows.get(&p));
        let lines = lines.get(&id).cloned().unwrap_or_default();
        let mut names = line_names(&lines);
        names.extend(["service outsourcing".to_owned(), "服务外包".to_owned()]);
        district_names.dedup();
        let mut identifiers = vec![identifier_key(&c.uscc)];
        identifiers.extend(numbers.remove(&id).unwrap_or_default());
        out.push(SearchDocument {
            key: DocKey::new(SearchType::Company, id).as_string(),
            kind: SearchType::Company.code().to_owned(),
            id,
            name_en: c.name_en.clone(),
            name_zh: c.name_zh.clone(),
            description_en: c.description.clone(),
            description_zh: c.description_zh.clone(),
            district,
            district_names,
            park: park.map(|p| global_id::encode(Kind::Park, p.id)),
            park_names: park
                .map(|p| vec![p.name_en.clone(), p.name_zh.clone()])
                .unwrap_or_default(),
            service_lines: lines.iter().map(|l| code(*l)).collect(),
            service_line_names: names,
            certifications: certifications.remove(&id).unwrap_or_default(),
            headcount: Some(i64::from(c.headcount)),
            employee_band: Some(EmployeeBand::of(i64::from(c.headcount)).code().to_owned()),
            leading: c.leading,
            tender_status: None,
            closes_at: None,
            buyer: Vec::new(),
            value_amount: None,
            value_currency: None,
            name_sort: c.name_en.to_lowercase(),
            identifiers,
        });
    }
    Ok(out)
}

async fn tender_documents(db: &DatabaseConnection, ids: &[i64]) -> AppResult<Vec<SearchDocument>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tender::Entity::find()
        .filter(tender::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let lines = tenders::service_lines(db, ids).await?;
    let buyer_ids: Vec<i64> = rows.iter().map(|t| t.counterpart_id).collect();
    let buyers: HashMap<i64, counterpart::Model> = counterparts::by_ids(db, &buyer_ids).await?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let lines = lines.get(&t.id).cloned().unwrap_or_default();
            let buyer = buyers.get(&t.counterpart_id);
            let value = match (t.value_amount_minor, t.value_currency.as_deref()) {
                (Some(minor), Some(code)) => Currency::parse(code)
                    .ok()
                    .map(|c| Money::from_minor(minor, c)),
                _ => None,
            };
            SearchDocument {
                key: DocKey::new(SearchType::Tender, t.id).as_string(),
                kind: SearchType::Tender.code().to_owned(),
                id: t.id,
                name_en: t.title_en.clone(),
                name_zh: t.title_zh.clone(),
                description_en: t.description_en.clone(),
                description_zh: t.description_zh.clone(),
                district: None,
                district_names: Vec::new(),
                park: None,
                park_names: Vec::new(),
                service_lines: lines.iter().map(|l| code(*l)).collect(),
                service_line_names: line_names(&lines),
                certifications: Vec::new(),
                headcount: None,
                employee_band: None,
                leading: false,
                tender_status: Some(code(t.status)),
                closes_at: Some(t.tender_period_end.timestamp()),
                buyer: buyer
                    .map(|b| vec![b.name_en.clone(), b.name_zh.clone()])
                    .unwrap_or_default(),
                value_amount: value.map(|m| m.amount.to_string()),
                value_currency: value.map(|m| m.currency.code().to_owned()),
                name_sort: t.title_en.to_lowercase(),
                identifiers: vec![identifier_key(&t.ocid)],
            }
        })
        .collect())
}

async fn park_documents(
    db: &DatabaseConnection,
    reference: &Reference,
    ids: &[i64],
) -> AppResult<Vec<SearchDocument>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = parks::by_ids(db, ids).await?;
    let focus = parks::focus_industries(db, ids).await?;
    Ok(rows
        .into_values()
        .map(|p| {
            let (district, district_names) = district_names(reference, p.district_id);
            let lines = focus.get(&p.id).cloned().unwrap_or_default();
            SearchDocument {
                key: DocKey::new(SearchType::Park, p.id).as_string(),
                kind: SearchType::Park.code().to_owned(),
                id: p.id,
                name_en: p.name_en.clone(),
                name_zh: p.name_zh.clone(),
                description_en: p.description.clone(),
                description_zh: String::new(),
                district,
                district_names,
                park: Some(global_id::encode(Kind::Park, p.id)),
                park_names: Vec::new(),
                service_lines: lines.iter().map(|l| code(*l)).collect(),
                service_line_names: line_names(&lines),
                certifications: Vec::new(),
                headcount: None,
                employee_band: None,
                leading: false,
                tender_status: None,
                closes_at: None,
                buyer: Vec::new(),
                value_amount: None,
                value_currency: None,
                name_sort: p.name_en.to_lowercase(),
                identifiers: Vec::new(),
            }
        })
        .collect())
}
