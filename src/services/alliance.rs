//! Alliances: companies that answer tenders together, with a lead and each member's share.

use std::collections::HashMap;

use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::page::{Page, PageRequest};
use crate::entities::{alliance, alliance_member};
use crate::error::AppResult;

pub const ORDER_TAG: &str = "alliance.id";

pub async fn list(db: &DatabaseConnection, page: &PageRequest) -> AppResult<Page<alliance::Model>> {
    super::page::by_id(
        db,
        alliance::Entity::find(),
        alliance::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |a| a.id,
    )
    .await
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(alliance::Entity::find().count(db).await?)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, alliance::Model>> {
    super::rows::by_ids::<alliance::Entity, _>(db, alliance::Column::Id, ids, |a| a.id).await
}

/// Members of each alliance, largest share first.
pub async fn members(
    db: &DatabaseConnection,
    alliance_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<alliance_member::Model>>> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.is_in(alliance_ids.iter().copied()))
        .order_by_desc(alliance_member::Column::ShareBasisPoints)
        .order_by_asc(alliance_member::Column::CompanyId)
        .all(db)
        .await?;
    Ok(super::rows::grouped(alliance_ids, rows, |row| {
        (row.alliance_id, row)
    }))
}

/// The alliances each company belongs to (as lead or member).
pub async fn of_companies(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_asc(alliance_member::Column::AllianceId)
        .all(db)
        .await?;
    Ok(super::rows::grouped(company_ids, rows, |row| {
        (row.company_id, row.alliance_id)
    }))
}

pub use changes::*;

mod changes {
    //! Forming alliances: a company proposes one with itself as lead, the members accept, and
    //! only then may the alliance bid.

    use chrono::Utc;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

    use crate::domain::global_id::Kind;
    use crate::entities::{alliance, alliance_member, company};
    use crate::error::{AppError, AppResult};
    use crate::services::input::text_field;
    use crate::services::write::Writer;

    /// A proposed alliance: its members (the lead included) and their shares in basis points.
    #[derive(Debug, Clone)]
    pub struct NewAlliance {
        pub name_en: String,
        pub name_zh: String,
        pub members: Vec<(i64, i32)>,
    }

    pub async fn create(w: &Writer<'_>, new: NewAlliance) -> AppResult<alliance::Model> {
        let lead = w.require_company()?;
        let name_en = text_field("name", &new.name_en, 300)?;
        let name_zh = text_field("nameZh", &new.name_zh, 200)?;
        if new.members.len() < 2 {
            return Err(AppError::bad_field(
                "members",
                "an alliance has at least two members",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for &(company, share) in &new.members {
            if !seen.insert(company) {
                return Err(AppError::bad_field("members", "a company is listed twice"));
            }
            if share <= 0 {
                return Err(AppError::bad_field(
                    "members.share",
                    "every member's share must be above 0%",
                ));
            }
        }
        if !seen.contains(&lead) {
            return Err(AppError::bad_field(
                "members",
                "the members must include the proposing company, which leads the alliance",
            ));
        }
        let total: i64 = new.members.iter().map(|&(_, s)| i64::from(s)).sum();
        if total != 10_000 {
            return Err(AppError::bad_field(
                "members.share",
                format!(
                    "the shares must sum to 100%, not {}%",
                    rust_decimal::Decimal::new(total, 2)
                ),
            ));
        }
        let tx = w.begin().await?;
        let ids: Vec<i64> = new.members.iter().map(|&(c, _)| c).collect();
        let found = company::Entity::find()
            .filter(company::Column::Id.is_in(ids.iter().copied()))
            .all(&tx.txn)
            .await?;
        if found.len() != ids.len() {
            return Err(AppError::NotFound(
                "a member names no registered company".into(),
            ));
        }
        let now = Utc::now();
        let record = alliance::ActiveModel {
            name_en: Set(name_en),
            name_zh: Set(name_zh),
            lead_company_id: Set(lead),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await?;
        alliance_member::Entity::insert_many(new.members.iter().map(|&(company, share)| {
            alliance_member::ActiveModel {
                alliance_id: Set(record.id),
                company_id: Set(company),
                share_basis_points: Set(share),
                // The lead accepts by proposing.
                accepted_at: Set((company == lead).then_some(now)),
            }
        }))
        .exec_without_returning(&tx.txn)
        .await?;
        let mut changed = vec![(Kind::Alliance, record.id)];
        changed.extend(ids.iter().map(|&c| (Kind::Company, c)));
        tx.audit("createAlliance", &changed).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A member company accepts its invitation.
    pub async fn accept(w: &Writer<'_>, alliance_id: i64) -> AppResult<alliance::Model> {
        let company = w.require_company()?;
        let tx = w.begin().await?;
        let record = alliance::Entity::find_by_id(alliance_id)
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::Alliance, alliance_id))?;
        let member = alliance_member::Entity::find_by_id((alliance_id, company))
            .one(&tx.txn)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden("the company is not invited to this alliance".into())
            })?;
        if member.accepted_at.is_some() {
            return Err(AppError::Conflict(
                "the invitation is already accepted".into(),
            ));
        }
        let mut active: alliance_member::ActiveModel = member.into();
        active.accepted_at = Set(Some(Utc::now()));
        active.update(&tx.txn).await?;
        tx.audit(
            "acceptAllianceInvitation",
            &[(Kind::Alliance, alliance_id), (Kind::Company, company)],
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }
}
