//! One company read in a single statement together with its park, its certificates and its
//! latest figures, each only as far as the reader asked.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, DatabaseConnection};

use super::figures::latest_year_of;
use crate::entities::{certification, company, company_figures, park};
use crate::error::AppResult;
use crate::services::certification::{self as certification_service, Visibility};
use crate::services::joined::{Projected, Projection, select_projected};

/// What to read of one company, and in the same statement of its park, its certificates and
/// its latest figures (each a round trip saved): of each, only the columns a [`Projection`]
/// names.
#[derive(Debug, Clone, Copy)]
pub struct Along {
    pub company: Projection<company::Entity>,
    pub park: Option<Projection<park::Entity>>,
    /// Its certificates, as far as the reader may see them.
    pub certifications: Option<(Visibility, Projection<certification::Entity>)>,
    pub latest_figures: Option<Projection<company_figures::Entity>>,
}

/// What a statement read along with a company, with only the columns its projections name
/// (the rest hold a [`Blank`](super::joined::Blank)); `None` where it was not asked for.
#[derive(Debug, Clone, Default)]
pub struct ReadAlong {
    pub park: Option<Option<park::Model>>,
    pub certifications: Option<Vec<certification::Model>>,
    pub latest_figures: Option<Option<company_figures::Model>>,
}

/// One company and, in the same statement, its park, its certificates and its latest figures
/// as `along` asks: the park and the figures are joined one to one, the certificates one row
/// each (a company holds a handful). Each table's columns follow the last one's, in its
/// entity's order, starting with its key, which a left join that found nothing leaves null.
pub async fn by_id_along(
    db: &DatabaseConnection,
    id: i64,
    along: Along,
) -> AppResult<Option<(company::Model, ReadAlong)>> {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{JoinType, Query};

    let mut query = Query::select();
    query
        .from(company::Entity)
        .and_where(Expr::col((company::Entity, company::Column::Id)).eq(id));
    let mut columns = along.company.and(&[company::Column::Id]);
    if along.park.is_some() {
        columns = columns.and(&[company::Column::ParkId]);
    }
    select_projected(&mut query, company::Entity, columns);
    let mut width = columns.columns().count();
    let mut place = |count: usize| {
        let start = width;
        width += count;
        start
    };
    let park = along.park.map(|projection| {
        let projection = projection.and(&[park::Column::Id]);
        select_projected(&mut query, park::Entity, projection);
        query.join(
            JoinType::LeftJoin,
            park::Entity,
            Expr::col((park::Entity, park::Column::Id))
                .equals((company::Entity, company::Column::ParkId)),
        );
        (place(projection.columns().count()), projection)
    });
    let figures = along.latest_figures.map(|projection| {
        let projection = projection.and(&[company_figures::Column::CompanyId]);
        select_projected(&mut query, company_figures::Entity, projection);
        let latest_year = latest_year_of((company::Entity, company::Column::Id));
        query.join(
            JoinType::LeftJoin,
            company_figures::Entity,
            Condition::all()
                .add(
                    Expr::col((company_figures::Entity, company_figures::Column::CompanyId))
                        .equals((company::Entity, company::Column::Id)),
                )
                .add(
                    Expr::col((company_figures::Entity, company_figures::Column::Year)).eq(
                        Expr::SubQuery(
                            None,
                            Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(
                                latest_year,
                            )),
                        ),
                    ),
                ),
        );
        (place(projection.columns().count()), projection)
    });
    let certificates = along.certifications.map(|(visibility, projection)| {
        let projection = projection.and(&[certification::Column::Id]);
        certification_service::join_visible(
            &mut query,
            (company::Entity, company::Column::Id),
            visibility,
            projection,
        );
        (place(projection.columns().count()), projection)
    });
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let company = company::Model::read_projected(first, 0, columns)?;
    let read_along = ReadAlong {
        park: park
            .map(|(start, projection)| joined_at(first, start, projection))
            .transpose()?,
        latest_figures: figures
            .map(|(start, projection)| joined_at(first, start, projection))
            .transpose()?,
        certifications: certificates
            .map(|(start, projection)| {
                rows.iter()
                    .filter_map(|row| joined_at(row, start, projection).transpose())
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?,
    };
    Ok(Some((company, read_along)))
}

/// The model a left join read at `start`, or `None` where it found nothing (its key, the
/// first column read, is null).
fn joined_at<M: Projected>(
    row: &sea_orm::QueryResult,
    start: usize,
    projection: Projection<M::Entity>,
) -> Result<Option<M>, sea_orm::DbErr> {
    if row.try_get_by_index::<Option<i64>>(start)?.is_none() {
        return Ok(None);
    }
    M::read_projected(row, start, projection).map(Some)
}
