//! Rows read along with others in one statement: a joined table's columns are selected under a
//! prefix of their own and read back as that table's model.

use sea_orm::sea_query::{Alias, Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryResult,
};

/// Selects every column of `E` as `{prefix}{column}`.
pub fn select_prefixed<E: EntityTrait>(query: &mut SelectStatement, prefix: &str) {
    for column in E::Column::iter() {
        query.expr_as(
            column.select_as(Expr::col((E::default(), column))),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// The model selected under `prefix` in `row`; `None` where a left join found nothing, which
/// reads as nulls in its required columns.
pub fn read_prefixed<M: FromQueryResult>(
    row: &QueryResult,
    prefix: &str,
) -> Result<Option<M>, DbErr> {
    match M::from_query_result_nullable(row, prefix) {
        Ok(model) => Ok(Some(model)),
        Err(sea_orm::TryGetError::Null(_)) => Ok(None),
        Err(sea_orm::TryGetError::DbErr(error)) => Err(error),
    }
}
