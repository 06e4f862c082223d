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
