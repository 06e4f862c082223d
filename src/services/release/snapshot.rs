//! What tenders are now, as the public may know them: the snapshots releases keep, read for
//! many tenders at once (a handful of statements whatever their number).

use std::collections::HashMap;

use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Amendment, Amount, Award, Buyer, Names, Snapshot, Supplier};
use crate::domain::{BidStatus, TenderStatus};
use crate::entities::{
    alliance, alliance_member, bid, company, counterpart, district, ftz_area, tender,
    tender_amendment, tender_required_certification, tender_service_line,
};
use crate::error::{AppError, AppResult};
use crate::services::rows::{by_ids, grouped_sorted};

fn amount(minor: Option<i64>, currency: Option<String>) -> Option<Amount> {
    match (minor, currency) {
        (Some(minor), Some(currency)) => Some(Amount { minor, currency }),
        _ => None,
    }
}

/// The amendments a tender had before releases were kept, without their releases.
pub(super) async fn earlier_amendments<C: ConnectionTrait>(
    conn: &C,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Amendment>>> {
    let rows = tender_amendment::Entity::find()
        .filter(tender_amendment::Column::TenderId.is_in(tender_ids.iter().copied()))
        .order_by_asc(tender_amendment::Column::Id)
        .all(conn)
        .await?;
    let mut map: HashMap<i64, Vec<Amendment>> = HashMap::new();
    for row in rows {
        map.entry(row.tender_id)
            .or_default()
            .push(amendment(row, None, None)?);
    }
    Ok(map)
}

pub(super) fn amendment(
    row: tender_amendment::Model,
    amends_release: Option<i32>,
    release: Option<i32>,
) -> AppResult<Amendment> {
    let changed: Vec<String> =
        serde_json::from_str(&row.changed_fields).map_err(AppError::internal)?;
    Ok(Amendment {
        id: row.id,
        date: row.amended_at,
        rationale: row.rationale.filter(|r| !r.trim().is_empty()),
        changed,
        amends_release,
        release,
    })
}

/// The winners of each awarded tender among `tenders`, lead first.
async fn awards<C: ConnectionTrait>(
    conn: &C,
    tenders: &HashMap<i64, tender::Model>,
) -> AppResult<HashMap<i64, Award>> {
    let closed: Vec<i64> = tenders
        .values()
        .filter(|t| t.status == TenderStatus::Complete)
        .map(|t| t.id)
        .collect();
    if closed.is_empty() {
        return Ok(HashMap::new());
    }
    let won = bid::Entity::find()
        .filter(bid::Column::TenderId.is_in(closed))
        .filter(bid::Column::Status.eq(BidStatus::Awarded))
        .all(conn)
        .await?;
    let alliance_ids: Vec<i64> = won.iter().filter_map(|b| b.alliance_id).collect();
    let alliances =
        by_ids::<alliance::Entity, _>(conn, alliance::Column::Id, &alliance_ids, |a| a.id).await?;
    let members = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.is_in(alliance_ids.iter().copied()))
        .filter(alliance_member::Column::AcceptedAt.is_not_null())
        .order_by_asc(alliance_member::Column::CompanyId)
        .all(conn)
        .await?;
    let mut company_ids: Vec<i64> = won.iter().map(|b| b.company_id).collect();
    company_ids.extend(members.iter().map(|m| m.company_id));
    company_ids.extend(alliances.values().map(|a| a.lead_company_id));
    company_ids.sort_unstable();
    company_ids.dedup();
    let companies =
        by_ids::<company::Entity, _>(conn, company::Column::Id, &company_ids, |c| c.id).await?;
    let districts: HashMap<i64, district::Model> = district::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let supplier = |id: i64, lead: bool| -> Option<Supplier> {
        let c = companies.get(&id)?;
        let d = districts.get(&c.district_id)?;
        Some(Supplier {
            id,
            name: Names {
                en: c.name_en.clone(),
                zh: c.name_zh.clone(),
            },
            uscc: c.uscc.clone(),
            district: Names {
                en: d.name_en.clone(),
                zh: d.name_zh.clone(),
            },
            lead,
        })
    };
    let mut out = HashMap::new();
    for b in won {
        let Some(t) = tenders.get(&b.tender_id) else {
            continue;
        };
        let (alliance, suppliers) = match b.alliance_id.and_then(|id| alliances.get(&id)) {
            Some(a) => {
                let mut suppliers: Vec<Supplier> =
                    supplier(a.lead_company_id, true).into_iter().collect();
                suppliers.extend(
                    members
                        .iter()
                        .filter(|m| m.alliance_id == a.id && m.company_id != a.lead_company_id)
                        .filter_map(|m| supplier(m.company_id, false)),
                );
                let names = Names {
                    en: a.name_en.clone(),
                    zh: a.name_zh.clone(),
                };
                (Some(names), suppliers)
            }
            None => (None, supplier(b.company_id, true).into_iter().collect()),
        };
        out.insert(
            b.tender_id,
            Award {
                // The tender is closed with its award: its last change is the award's date.
                date: t.updated_at,
                value: amount(b.amount_minor, b.currency),
                alliance,
                suppliers,
            },
        );
    }
    Ok(out)
}

/// How many bids each closed tender among `tenders` received (withdrawn ones not counted).
async fn bids_received<C: ConnectionTrait>(
    conn: &C,
    tenders: &HashMap<i64, tender::Model>,
) -> AppResult<HashMap<i64, i64>> {
    let closed: Vec<i64> = tenders
        .values()
        .filter(|t| {
            matches!(
                t.status,
                TenderStatus::Complete | TenderStatus::Unsuccessful
            )
        })
        .map(|t| t.id)
        .collect();
    let mut counts: HashMap<i64, i64> = closed.iter().map(|&id| (id, 0)).collect();
    if closed.is_empty() {
        return Ok(counts);
    }
    use sea_orm::QuerySelect;
    let rows: Vec<(i64, i64)> = bid::Entity::find()
        .select_only()
        .column(bid::Column::TenderId)
        .column_as(bid::Column::Id.count(), "bids")
        .filter(bid::Column::TenderId.is_in(closed))
        .filter(bid::Column::Status.ne(BidStatus::Withdrawn))
        .group_by(bid::Column::TenderId)
        .into_tuple()
        .all(conn)
        .await?;
    counts.extend(rows);
    Ok(counts)
}

/// What each of these tenders is now; their amendments are left for the caller to give.
pub(super) async fn now<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, Snapshot>> {
    let tenders = by_ids::<tender::Entity, _>(conn, tender::Column::Id, ids, |t| t.id).await?;
    let mut buyer_ids: Vec<i64> = tenders.values().map(|t| t.counterpart_id).collect();
    buyer_ids.sort_unstable();
    buyer_ids.dedup();
    let buyers =
        by_ids::<counterpart::Entity, _>(conn, counterpart::Column::Id, &buyer_ids, |c| c.id)
            .await?;
    let areas: HashMap<i64, ftz_area::Model> = ftz_area::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let lines = grouped_sorted(
        ids,
        tender_service_line::Entity::find()
            .filter(tender_service_line::Column::TenderId.is_in(ids.iter().copied()))
            .all(conn)
            .await?,
        |row| (row.tender_id, row.service_line),
    );
    let required = grouped_sorted(
        ids,
        tender_required_certification::Entity::find()
            .filter(tender_required_certification::Column::TenderId.is_in(ids.iter().copied()))
            .all(conn)
            .await?,
        |row| (row.tender_id, row.standard),
    );
    let mut awards = awards(conn, &tenders).await?;
    let bids = bids_received(conn, &tenders).await?;
    let mut out = HashMap::with_capacity(tenders.len());
    for (id, t) in &tenders {
        let b = buyers
            .get(&t.counterpart_id)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("tender {id} has no buyer")))?;
        let buyer = Buyer {
            id: b.id,
            name: Names {
                en: b.name_en.clone(),
                zh: b.name_zh.clone(),
            },
            uscc: b.uscc.clone(),
            kind: b.kind.to_value(),
            city: b.city.clone(),
            ftz_area: b.ftz_area_id.and_then(|a| areas.get(&a)).map(|a| Names {
                en: a.name_en.clone(),
                zh: a.name_zh.clone(),
            }),
        };
        out.insert(
            *id,
            Snapshot {
                ocid: t.ocid.clone(),
                title: Names {
                    en: t.title_en.clone(),
                    zh: t.title_zh.clone(),
                },
                description: Names {
                    en: t.description_en.clone(),
                    zh: t.description_zh.clone(),
                },
                status: t.status.to_value(),
                value: amount(t.value_amount_minor, t.value_currency.clone()),
                published_at: t.published_at,
                closes_at: t.tender_period_end,
                service_lines: lines
                    .get(id)
                    .map(|l| l.iter().map(|l| l.to_value()).collect())
                    .unwrap_or_default(),
                required_certifications: required
                    .get(id)
                    .map(|r| r.iter().map(|s| s.to_value()).collect())
                    .unwrap_or_default(),
                min_employees: t.min_employees,
                buyer,
                amendments: Vec::new(),
                award: awards.remove(id),
                bids_received: bids.get(id).copied(),
                withdrawn: Vec::new(),
            },
        );
    }
    Ok(out)
}
