//! The targets the Department follows the industry against, as data: for a figure (companies
//! or employees), province-wide or for one district, a level to exceed and a yearly growth to
//! reach, set for a year. A target holds from its year until one set for a later year replaces
//! it. The demo carries the Opinions' two: more than 3,000 companies growing 25% a year, and
//! more than 300,000 employees growing 20% a year, set for 2015.

use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::{Figures, percent_change};
use crate::domain::global_id::Kind;
use crate::entities::{district, statistics_target};
use crate::error::{AppError, AppResult};
use crate::services::write::Writer;

/// The figures a target can be set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetFigure {
    Companies,
    Employees,
}

impl TargetFigure {
    fn stored(self) -> &'static str {
        match self {
            TargetFigure::Companies => "companies",
            TargetFigure::Employees => "employees",
        }
    }

    fn from_stored(s: &str) -> Option<TargetFigure> {
        match s {
            "companies" => Some(TargetFigure::Companies),
            "employees" => Some(TargetFigure::Employees),
            _ => None,
        }
    }

    fn of(self, figures: &Figures) -> i64 {
        match self {
            TargetFigure::Companies => figures.companies,
            TargetFigure::Employees => figures.employees,
        }
    }
}

/// A target as set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub figure: TargetFigure,
    /// Absent for the province.
    pub district_id: Option<i64>,
    pub year: i32,
    pub level: i64,
    /// The yearly growth to reach, in percent.
    pub growth_percent: Decimal,
}

impl TryFrom<statistics_target::Model> for Target {
    type Error = AppError;

    fn try_from(row: statistics_target::Model) -> AppResult<Target> {
        let figure = TargetFigure::from_stored(&row.figure).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("target with figure {:?}", row.figure))
        })?;
        Ok(Target {
            id: row.id,
            figure,
            district_id: row.district_id,
            year: row.year,
            level: row.level,
            growth_percent: Decimal::new(row.growth_basis_points, 2),
        })
    }
}

/// A target to set; one already set for the same figure, scope and year is replaced.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub figure: TargetFigure,
    pub district_id: Option<i64>,
    pub year: i32,
    pub level: i64,
    pub growth_percent: Decimal,
}

fn scope_key(district: Option<i64>) -> String {
    match district {
        None => "province".into(),
        Some(id) => format!("district:{id}"),
    }
}

/// Every target, by figure, scope and year.
pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<Target>> {
    statistics_target::Entity::find()
        .order_by_asc(statistics_target::Column::Figure)
        .order_by_asc(statistics_target::Column::ScopeKey)
        .order_by_asc(statistics_target::Column::Year)
        .all(conn)
        .await?
        .into_iter()
        .map(Target::try_from)
        .collect()
}

/// The Department sets a target (or replaces the one set for the same figure, scope and year).
pub async fn set(w: &Writer<'_>, new: NewTarget) -> AppResult<Target> {
    w.require_admin()?;
    if new.level < 0 {
        return Err(AppError::bad_field(
            "level",
            "a target's level cannot be negative",
        ));
    }
    if new.growth_percent < Decimal::ZERO {
        return Err(AppError::bad_field(
            "annualGrowthPercent",
            "a target's growth rate cannot be negative",
        ));
    }
    if new.growth_percent > Decimal::from(10_000) || new.growth_percent.scale() > 2 {
        return Err(AppError::bad_field(
            "annualGrowthPercent",
            "a growth rate is a percentage up to 10000 with at most two decimals",
        ));
    }
    let this_year = chrono::Datelike::year(&crate::domain::today());
    if !(2000..=this_year.saturating_add(50)).contains(&new.year) {
        return Err(AppError::bad_field(
            "year",
            format!(
                "a target is set for a year from 2000 to {}",
                this_year.saturating_add(50)
            ),
        ));
    }
    let basis_points = (new.growth_percent * Decimal::ONE_HUNDRED)
        .trunc()
        .try_into()
        .map_err(|_| AppError::bad_field("annualGrowthPercent", "out of range"))?;
    let tx = w.begin().await?;
    if let Some(id) = new.district_id
        && district::Entity::find_by_id(id)
            .one(&tx.txn)
            .await?
            .is_none()
    {
        return Err(AppError::not_found(Kind::District, id));
    }
    let key = scope_key(new.district_id);
    let existing = tx
        .locked(
            statistics_target::Entity::find()
                .filter(statistics_target::Column::Figure.eq(new.figure.stored()))
                .filter(statistics_target::Column::ScopeKey.eq(key.as_str()))
                .filter(statistics_target::Column::Year.eq(new.year)),
        )
        .one(&tx.txn)
        .await?;
    let now = Utc::now();
    let row = match existing {
        Some(row) => {
            let mut active: statistics_target::ActiveModel = row.into();
            active.level = Set(new.level);
            active.growth_basis_points = Set(basis_points);
            active.updated_at = Set(now);
            active.update(&tx.txn).await?
        }
        None => statistics_target::ActiveModel {
            figure: Set(new.figure.stored().to_owned()),
            district_id: Set(new.district_id),
            scope_key: Set(key),
            year: Set(new.year),
            level: Set(new.level),
            growth_basis_points: Set(basis_points),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                "another request set the same target at the same time; try again".into(),
            ),
            _ => e.into(),
        })?,
    };
    let mut objects = vec![(Kind::StatisticsTarget, row.id)];
    objects.extend(new.district_id.map(|d| (Kind::District, d)));
    tx.audit("setStatisticsTarget", &objects).await?;
    tx.commit().await?;
    Target::try_from(row)
}

/// The Department removes a target.
pub async fn remove(w: &Writer<'_>, id: i64) -> AppResult<()> {
    w.require_admin()?;
    let tx = w.begin().await?;
    let deleted = statistics_target::Entity::delete_by_id(id)
        .exec(&tx.txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::not_found(Kind::StatisticsTarget, id));
    }
    tx.audit("removeStatisticsTarget", &[(Kind::StatisticsTarget, id)])
        .await?;
    tx.commit().await?;
    Ok(())
}

/// How a year stands against a target in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub target: Target,
    pub year: i32,
    pub actual: i64,
    /// The level less the actual figure: what is still missing (zero or less once exceeded).
    pub gap: i64,
    /// The actual figure exceeds the level.
    pub reached: bool,
    /// The year's growth, in percent; absent without a previous year to compare with, or
    /// before any company has recorded figures for the year.
    pub growth_percent: Option<Decimal>,
    /// The growth reached the target's rate; absent with the growth.
    pub growth_met: Option<bool>,
}

/// The targets in force in `year` for the scope (`None`: the province), with where the year
/// stands against each: for each figure, the one set for the latest year not after `year`.
pub fn progress(
    targets: &[Target],
    district: Option<i64>,
    year: i32,
    current: &Figures,
    previous: &Figures,
) -> Vec<Progress> {
    [TargetFigure::Companies, TargetFigure::Employees]
        .into_iter()
        .filter_map(|figure| {
            let target = targets
                .iter()
                .filter(|t| t.figure == figure && t.district_id == district && t.year <= year)
                .max_by_key(|t| t.year)?;
            let actual = figure.of(current);
            // No company has recorded figures for the year (yet): no growth to judge.
            let growth = if current.companies > 0 {
                percent_change(actual, figure.of(previous))
            } else {
                None
            };
            Some(Progress {
                target: target.clone(),
                year,
                actual,
                gap: target.level.saturating_sub(actual),
                reached: actual > target.level,
                growth_percent: growth,
                growth_met: growth.map(|g| g >= target.growth_percent),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_target_not_after_the_year_is_in_force() {
        let target = |id, year, level| Target {
            id,
            figure: TargetFigure::Companies,
            district_id: None,
            year,
            level,
            growth_percent: Decimal::new(2500, 2),
        };
        let targets = [target(1, 2015, 3_000), target(2, 2020, 5_000)];
        let current = Figures {
            companies: 1_320,
            ..Figures::default()
        };
        let previous = Figures {
            companies: 1_056,
            ..Figures::default()
        };
        assert!(progress(&targets, None, 2014, &current, &previous).is_empty());
        let p = &progress(&targets, None, 2016, &current, &previous)[0];
        assert_eq!((p.target.id, p.gap, p.reached), (1, 1_680, false));
        assert_eq!(p.growth_percent, Some(Decimal::new(2500, 2)));
        assert_eq!(p.growth_met, Some(true), "25.00% meets 25%");
        assert_eq!(
            progress(&targets, None, 2021, &current, &previous)[0]
                .target
                .id,
            2
        );
        assert!(progress(&targets, Some(4), 2016, &current, &previous).is_empty());
    }
}
