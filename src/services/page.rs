//! Keyset pagination shared by every list.
//!
//! A page is asked for as "the first N rows after this position"; a position is the sort key
//! and the id of the last row seen. Keyset paging costs the same at page 1,000 as at page 1
//! and does not skip or repeat rows when others are inserted meanwhile, unlike OFFSET.

use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};

/// The value of the sort column at a position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    Int(i64),
    Text(String),
    Time(chrono::DateTime<chrono::Utc>),
}

impl From<SortKey> for Value {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Int(v) => Value::BigInt(Some(v)),
            SortKey::Text(v) => Value::String(Some(v)),
            SortKey::Time(v) => Value::ChronoDateTimeUtc(Some(v)),
        }
    }
}

/// A position in an ordered list: the last row seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Keyset {
    /// Which ordering the position belongs to; a position from another ordering is meaningless.
    pub order: String,
    pub key: Option<SortKey>,
    pub id: i64,
}

impl Keyset {
    /// Whether this is a position in the list tagged `order`, which is ordered by id alone.
    pub fn is_by_id(&self, order: &str) -> bool {
        self.order == order && self.key.is_none()
    }
}

/// A request for one page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Keyset>,
}

/// One page of rows, each with its position.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(T, Keyset)>,
    pub has_next_page: bool,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            has_next_page: false,
        }
    }

    /// Builds a page from up to `first + 1` rows: the extra row only says that more follow.
    pub fn from_rows(mut rows: Vec<T>, first: u64, position: impl Fn(&T) -> Keyset) -> Self {
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let items = rows
            .into_iter()
            .map(|row| {
                let keyset = position(&row);
                (row, keyset)
            })
            .collect();
        Page {
            items,
            has_next_page,
        }
    }
}

/// The condition "strictly after `after`" in the order (sort column, id), both in `order`.
pub fn after_condition<C: ColumnTrait>(
    sort: Option<C>,
    id: C,
    order: &Order,
    after: &Keyset,
) -> Condition {
    let forward = matches!(order, Order::Asc);
    let beyond = |col: C, value: Value| -> SimpleExpr {
        if forward {
            col.gt(value)
        } else {
            col.lt(value)
        }
    };
    match (sort, &after.key) {
        (Some(sort), Some(key)) => {
            let key: Value = key.clone().into();
            Condition::any().add(beyond(sort, key.clone())).add(
                Condition::all()
                    .add(sort.eq(key))
                    .add(beyond(id, after.id.into())),
            )
        }
        _ => Condition::all().add(beyond(id, after.id.into())),
    }
}

/// Orders `select` by (sort column, id), starts it after the requested position and fetches one
/// row more than asked, to know whether another page follows.
pub fn paginate<E: EntityTrait, C: ColumnTrait>(
    select: Select<E>,
    sort: Option<C>,
    id: C,
    order: Order,
    page: &PageRequest,
) -> Select<E> {
    let mut select = select;
    if let Some(after) = &page.after {
        select = select.filter(after_condition(sort, id, &order, after));
    }
    if let Some(sort) = sort {
        select = select.order_by(sort, order.clone());
    }
    select.order_by(id, order).limit(page.first + 1)
}

/// One page of `select`'s rows in id order, for the lists that have no other: their
/// positions are ids alone, tagged `tag` so a cursor of another list is refused.
pub async fn by_id<E, C>(
    db: &sea_orm::DatabaseConnection,
    select: Select<E>,
    id: C,
    order: Order,
    tag: &str,
    page: &PageRequest,
    id_of: impl Fn(&E::Model) -> i64,
) -> crate::error::AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let rows = paginate(select, None::<C>, id, order, page).all(db).await?;
    Ok(Page::from_rows(rows, page.first, |row| Keyset {
        order: tag.into(),
        key: None,
        id: id_of(row),
    }))
}

/// The first page of each of several groups (a park's companies, a buyer's tenders) in one
/// statement: a window function numbers each group's rows and only the first `first + 1` of
/// each are kept.
#[allow(clippy::too_many_arguments)]
pub async fn first_per_group<E, C>(
    db: &sea_orm::DatabaseConnection,
    select: Select<E>,
    group: C,
    groups: &[i64],
    sort: Option<C>,
    id: C,
    order: Order,
    page: &PageRequest,
    group_of: impl Fn(&E::Model) -> Option<i64>,
    position: impl Fn(&E::Model) -> Keyset,
) -> Result<std::collections::HashMap<i64, Page<E::Model>>, sea_orm::DbErr>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, WindowStatement};

    let mut select = select.filter(group.is_in(groups.iter().copied()));
    if let Some(after) = &page.after {
        select = select.filter(after_condition(sort, id, &order, after));
    }
    let mut window = WindowStatement::partition_by(group);
    if let Some(sort) = sort {
        window.order_by(sort, order.clone());
    }
    window.order_by(id, order);
    let mut inner = select.into_query();
    inner.expr_window_as(
        Expr::cust("ROW_NUMBER()"),
        window,
        Alias::new("row_in_group"),
    );
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("numbered"))
        .and_where(Expr::col(Alias::new("row_in_group")).lte(page.first as i64 + 1))
        .order_by(Alias::new("row_in_group"), Order::Asc)
        .to_owned();
    let statement = db.get_database_backend().build(&outer);
    let rows = E::find().from_raw_sql(statement).all(db).await?;
    let mut grouped: std::collections::HashMap<i64, Vec<E::Model>> =
        groups.iter().map(|&g| (g, Vec::new())).collect();
    for row in rows {
        if let Some(g) = group_of(&row) {
            grouped.entry(g).or_default().push(row);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(g, rows)| (g, Page::from_rows(rows, page.first, &position)))
        .collect())
}
