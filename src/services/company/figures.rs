//! A company's figures: the yearly figures it reported, the latest of them, and the totals
//! over the companies of each park.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SelectStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{company, company_figures};
use crate::error::AppResult;

/// The most recent year the company whose id is in `company` reported figures for.
pub(super) fn latest_year_of(company: impl sea_orm::sea_query::IntoColumnRef) -> SelectStatement {
    let latest = Alias::new("latest");
    sea_orm::sea_query::Query::select()
        .expr(Expr::col((latest.clone(), company_figures::Column::Year)).max())
        .from_as(company_figures::Entity, latest.clone())
        .and_where(Expr::col((latest, company_figures::Column::CompanyId)).equals(company))
        .to_owned()
}

/// Each company's figures of the most recent year it reported (absent if it reported none).
pub async fn latest_figures(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, company_figures::Model>> {
    let latest_year = latest_year_of((company_figures::Entity, company_figures::Column::CompanyId));
    let rows = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.is_in(company_ids.iter().copied()))
        .filter(company_figures::Column::Year.in_subquery(latest_year))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|f| (f.company_id, f)).collect())
}

/// Yearly figures per company, oldest year first.
pub async fn figures(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<company_figures::Model>>> {
    let rows = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_asc(company_figures::Column::Year)
        .all(db)
        .await?;
    Ok(crate::services::rows::grouped(company_ids, rows, |row| {
        (row.company_id, row)
    }))
}

/// Per-park totals over the companies in it today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParkTotals {
    pub companies: i64,
    pub employees: i64,
    pub leading_companies: i64,
}

pub async fn park_totals(
    db: &DatabaseConnection,
    park_ids: &[i64],
) -> AppResult<HashMap<i64, ParkTotals>> {
    // (park, companies, employees, leading companies)
    type Row = (Option<i64>, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = company::Entity::find()
        .select_only()
        .column(company::Column::ParkId)
        .column_as(Expr::col(company::Column::Id).count(), "companies")
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::col(company::Column::Headcount)),
                Alias::new("BIGINT"),
            )),
            "employees",
        )
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::case(Expr::col(company::Column::Leading).eq(true), 1).finally(0)),
                Alias::new("BIGINT"),
            )),
            "leading_companies",
        )
        .filter(company::Column::ParkId.is_in(park_ids.iter().copied()))
        .group_by(company::Column::ParkId)
        .into_tuple()
        .all(db)
        .await?;
    let mut map: HashMap<i64, ParkTotals> = park_ids
        .iter()
        .map(|&id| (id, ParkTotals::default()))
        .collect();
    for (park, companies, employees, leading) in rows {
        if let Some(park) = park {
            map.insert(
                park,
                ParkTotals {
                    companies,
                    employees: employees.unwrap_or(0),
                    leading_companies: leading.unwrap_or(0),
                },
            );
        }
    }
    Ok(map)
}
