//! Writing the plan: one transaction into an empty database, the parks, companies, certificates,
//! counterparts, tenders and alliances in turn, and the search outbox when asked.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QuerySelect, TransactionTrait,
};

use super::DemoOutcome;
use super::plan::Plan;
use super::record::PARKS;
use super::tenders::{COUNTERPARTS, TENDER_TEMPLATES};
use crate::domain::{
    DistrictCode, OcidPrefix, ParkLevel, SearchType, TenderStatus, Uscc, VerificationStatus,
};
use crate::entities::{
    alliance, alliance_member, certification, company, company_figures, company_service_line,
    counterpart, park, park_focus_industry, tender, tender_required_certification,
    tender_service_line,
};
use crate::error::{AppError, AppResult};
use crate::search::DocKey;
use crate::services::outbox;
use crate::services::reference::{self, FTZ_AREAS};

pub(super) async fn write(
    db: &DatabaseConnection,
    plan: Plan,
    enqueue: bool,
    ocid_prefix: &OcidPrefix,
) -> AppResult<DemoOutcome> {
    reference::ensure(db).await?;
    let existing = company::Entity::find().count(db).await?;
    if existing > 0 {
        return Ok(DemoOutcome::AlreadyPopulated {
            companies: existing,
        });
    }
    let reference = reference::load(db).await?;
    let district_ids: HashMap<DistrictCode, i64> =
        reference.districts.iter().map(|d| (d.code, d.id)).collect();
    let ftz_ids: HashMap<String, i64> = reference
        .ftz_areas
        .iter()
        .map(|a| (a.code.clone(), a.id))
        .collect();
    let txn = db.begin().await?;
    // Several servers may start at once on one PostgreSQL: one loads, the others wait here,
    // then find the companies and leave them be.
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(2014062501)")
            .await?;
    }
    let existing = company::Entity::find().count(&txn).await?;
    if existing > 0 {
        return Ok(DemoOutcome::AlreadyPopulated {
            companies: existing,
        });
    }
    let created = Utc
        .with_ymd_and_hms(2015, 6, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let park_ids = insert_parks(&txn, &district_ids, created).await?;
    let company_ids = insert_companies(&txn, &plan, &district_ids, &park_ids, created).await?;
    insert_certifications(&txn, &plan, &company_ids).await?;
    let counterpart_ids = insert_counterparts(&txn, &ftz_ids, created).await?;
    let tender_ids = insert_tenders(&txn, &plan, &counterpart_ids, ocid_prefix).await?;
    insert_alliances(&txn, &plan, &company_ids, created).await?;
    insert_targets(&txn, created).await?;
    // The statistics rollups and the tenders' releases, from what was just written, in the
    // same transaction.
    crate::services::rollup::rebuild(&txn).await?;
    crate::services::release::write_missing(&txn).await?;
    // The index follows through the outbox, like every other write.
    if enqueue {
        let keys: Vec<DocKey> = company_ids
            .iter()
            .map(|&id| DocKey::new(SearchType::Company, id))
            .chain(
                tender_ids
                    .iter()
                    .map(|&id| DocKey::new(SearchType::Tender, id)),
            )
            .chain(park_ids.iter().map(|&id| DocKey::new(SearchType::Park, id)))
            .collect();
        outbox::enqueue(&txn, &keys).await?;
    }
    txn.commit().await?;
    Ok(DemoOutcome::Loaded {
        companies: plan.companies.len(),
        certifications: plan.certifications.len(),
        tenders: plan.tenders.len(),
    })
}

const CHUNK: usize = 400;

async fn insert_parks(
    txn: &DatabaseTransaction,
    districts: &HashMap<DistrictCode, i64>,
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for p in PARKS {
        let district = *districts
            .get(&p.district)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("district missing")))?;
        let policies = match p.level {
            ParkLevel::NationalDemonstrationCity => {
                "National and provincial service-outsourcing support funds; technologically advanced service enterprises pay enterprise income tax at 15%; training subsidies for new graduates hired."
            }
            _ => {
                "Provincial service-outsourcing support funds; rent subsidies for the first three years; training subsidies per graduate hired and trained."
            }
        };
        let description = if p.named_in_record {
            format!(
                "{}, one of the parks the province names in its service-outsourcing record.",
                p.name_en
            )
        } else {
            format!(
                "{}, an illustrative park of the Ganbridge demo dataset.",
                p.name_en
            )
        };
        let result = park::Entity::insert(park::ActiveModel {
            name_en: Set(p.name_en.into()),
            name_zh: Set(p.name_zh.into()),
            level: Set(p.level),
            district_id: Set(district),
            description: Set(description),
            preferential_policies: Set(policies.into()),
            website: Set(None),
            established_year: Set(Some(p.established)),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        let id = result.last_insert_id;
        park_focus_industry::Entity::insert_many(p.focus.iter().map(|&l| {
            park_focus_industry::ActiveModel {
                park_id: Set(id),
                service_line: Set(l),
            }
        }))
        .exec_without_returning(txn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

async fn insert_companies(
    txn: &DatabaseTransaction,
    plan: &Plan,
    districts: &HashMap<DistrictCode, i64>,
    parks: &[i64],
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    for chunk in plan.companies.chunks(CHUNK) {
        let rows = chunk.iter().map(|c| {
            let headcount = c
                .figures
                .iter()
                .max_by_key(|f| f.0)
                .map(|f| f.1)
                .unwrap_or(0);
            company::ActiveModel {
                uscc: Set(c.uscc.clone()),
                name_zh: Set(c.name_zh.clone()),
                name_en: Set(c.name_en.clone()),
                district_id: Set(districts.get(&c.district).copied().unwrap_or_default()),
                park_id: Set(c.park.and_then(|p| parks.get(p).copied())),
                headcount: Set(headcount as i32),
                founded_year: Set(c.founded),
                description: Set(c.description.clone()),
                description_zh: Set(c.description_zh.clone()),
                website: Set(c.website.clone()),
                contact_email: Set(c
                    .website
                    .as_ref()
                    .map(|w| format!("contact@{}", w.trim_start_matches("https://www.")))),
                contact_phone: Set(None),
                leading: Set(c.leading),
                service_line_mask: Set(crate::services::company::line_mask(
                    c.lines.iter().copied(),
                )),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
        });
        company::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    let ids: HashMap<String, i64> = company::Entity::find()
        .select_only()
        .column(company::Column::Uscc)
        .column(company::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let company_ids: Vec<i64> = plan
        .companies
        .iter()
        .map(|c| ids.get(&c.uscc).copied().unwrap_or_default())
        .collect();

    let lines: Vec<company_service_line::ActiveModel> = plan
        .companies
        .iter()
        .zip(&company_ids)
        .flat_map(|(c, &id)| {
            c.lines
                .iter()
                .map(move |&l| company_service_line::ActiveModel {
                    company_id: Set(id),
                    service_line: Set(l),
                })
        })
        .collect();
    for chunk in lines.chunks(CHUNK * 2) {
        company_service_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let figures: Vec<company_figures::ActiveModel> = plan
        .companies
        .iter()
        .zip(&company_ids)
        .flat_map(|(c, &id)| {
            c.figures.iter().map(move |&(year, employees, usd)| {
                let contract = usd * 100;
                let offshore = contract * i64::from(c.offshore_share) / 100;
                let executed = contract * 9 / 10;
                company_figures::ActiveModel {
                    company_id: Set(id),
                    year: Set(year),
                    contract_amount_usd_cents: Set(contract),
                    contract_offshore_usd_cents: Set(offshore),
                    executed_amount_usd_cents: Set(executed),
                    executed_offshore_usd_cents: Set(executed * i64::from(c.offshore_share) / 100),
                    employees: Set(employees as i32),
                }
            })
        })
        .collect();
    for chunk in figures.chunks(CHUNK) {
        company_figures::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(company_ids)
}

async fn insert_certifications(
    txn: &DatabaseTransaction,
    plan: &Plan,
    company_ids: &[i64],
) -> AppResult<()> {
    let rows: Vec<certification::ActiveModel> = plan
        .certifications
        .iter()
        .map(|c| {
            let verified_at = Utc.from_utc_datetime(
                &(c.issue + Duration::days(21))
                    .and_hms_opt(10, 0, 0)
                    .unwrap_or_default(),
            );
            certification::ActiveModel {
                company_id: Set(company_ids[c.company]),
                standard: Set(c.standard),
                maturity_level: Set(c.level),
                certificate_number: Set(c.number.clone()),
                certification_body: Set(c.body.into()),
                accreditation_body: Set(c.accreditation.map(Into::into)),
                scope: Set(format!(
                    "{} of service-outsourcing operations",
                    c.standard.label()
                )),
                issue_date: Set(c.issue),
                expiry_date: Set(c.expiry),
                status: Set(c.status),
                verification: Set(VerificationStatus::Verified),
                verification_source: Set(Some(c.source.into())),
                verified_by: Set(Some("Jiangxi Provincial Department of Commerce".into())),
                verified_at: Set(Some(verified_at)),
                created_at: Set(verified_at),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        certification::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

async fn insert_counterparts(
    txn: &DatabaseTransaction,
    ftz: &HashMap<String, i64>,
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for (i, &(en, zh, kind, area, city)) in COUNTERPARTS.iter().enumerate() {
        let area_name = area
            .and_then(|a| FTZ_AREAS.iter().find(|f| f.0 == a))
            .map(|f| f.1);
        let description = match area_name {
            Some(area) => format!(
                "A fictional enterprise of the Ganbridge demo dataset, registered in the {area} of the China (Shanghai) Pilot Free Trade Zone."
            ),
            None => {
                format!("A fictional enterprise of the Ganbridge demo dataset, based in {city}.")
            }
        };
        let uscc = (city == "Shanghai" || city == "Hangzhou")
            .then(|| {
                let division = if city == "Shanghai" {
                    "310115"
                } else {
                    "330106"
                };
                Uscc::assemble("91", division, &format!("7{:07}", 3100 + i))
                    .ok()
                    .map(|u| u.to_string())
            })
            .flatten();
        let result = counterpart::Entity::insert(counterpart::ActiveModel {
            name_en: Set(en.into()),
            name_zh: Set(zh.into()),
            kind: Set(kind),
            ftz_area_id: Set(area.and_then(|a| ftz.get(a).copied())),
            city: Set(city.into()),
            uscc: Set(uscc),
            description: Set(description),
            website: Set(None),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        ids.push(result.last_insert_id);
    }
    Ok(ids)
}

async fn insert_tenders(
    txn: &DatabaseTransaction,
    plan: &Plan,
    counterparts: &[i64],
    ocid_prefix: &OcidPrefix,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(plan.tenders.len());
    for (i, t) in plan.tenders.iter().enumerate() {
        let template = &TENDER_TEMPLATES[t.template];
        let buyer = COUNTERPARTS[t.counterpart].0;
        let result = tender::Entity::insert(tender::ActiveModel {
            ocid: Set(ocid_prefix.ocid(i as i64 + 1)),
            title_en: Set(template.title_en.into()),
            title_zh: Set(template.title_zh.into()),
            description_en: Set(format!(
                "{buyer} seeks a service provider: {}. An illustrative tender of the Ganbridge demo dataset.",
                template.title_en.to_lowercase()
            )),
            description_zh: Set(format!("{}。Ganbridge演示数据中的示例招标。", template.title_zh)),
            counterpart_id: Set(counterparts[t.counterpart]),
            status: Set(t.status),
            value_amount_minor: Set(t.value.map(|v| v.0)),
            value_currency: Set(t.value.map(|v| v.1.to_owned())),
            tender_period_start: Set(t.start),
            tender_period_end: Set(t.end),
            min_employees: Set(t.min_employees),
            published_at: Set((t.status != TenderStatus::Planning).then_some(t.start)),
            created_at: Set(t.start - Duration::days(3)),
            updated_at: Set(t.start - Duration::days(3)),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        let id = result.last_insert_id;
        ids.push(id);
        tender_service_line::Entity::insert_many(template.lines.iter().map(|&l| {
            tender_service_line::ActiveModel {
                tender_id: Set(id),
                service_line: Set(l),
            }
        }))
        .exec_without_returning(txn)
        .await?;
        if !t.required.is_empty() {
            tender_required_certification::Entity::insert_many(t.required.iter().map(|&s| {
                tender_required_certification::ActiveModel {
                    tender_id: Set(id),
                    standard: Set(s),
                }
            }))
            .exec_without_returning(txn)
            .await?;
        }
    }
    Ok(ids)
}

async fn insert_alliances(
    txn: &DatabaseTransaction,
    plan: &Plan,
    company_ids: &[i64],
    created: DateTime<Utc>,
) -> AppResult<()> {
    for (en, zh, members) in &plan.alliances {
        let lead = members[0].0;
        let result = alliance::Entity::insert(alliance::ActiveModel {
            name_en: Set(en.clone()),
            name_zh: Set(zh.clone()),
            lead_company_id: Set(company_ids[lead]),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        alliance_member::Entity::insert_many(members.iter().map(|&(company, share)| {
            alliance_member::ActiveModel {
                alliance_id: Set(result.last_insert_id),
                company_id: Set(company_ids[company]),
                share_basis_points: Set(share),
                accepted_at: Set(Some(created)),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// The Opinions' targets for the province, set for the year they were published.
async fn insert_targets(txn: &DatabaseTransaction, created: DateTime<Utc>) -> AppResult<()> {
    use crate::entities::statistics_target;
    let rows =
        super::record::OPINIONS_TARGETS
            .iter()
            .map(
                |&(figure, level, growth_basis_points)| statistics_target::ActiveModel {
                    figure: Set(figure.to_owned()),
                    district_id: Set(None),
                    scope_key: Set("province".to_owned()),
                    year: Set(super::record::OPINIONS_YEAR),
                    level: Set(level),
                    growth_basis_points: Set(growth_basis_points),
                    created_at: Set(created),
                    updated_at: Set(created),
                    ..Default::default()
                },
            );
    statistics_target::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
