//! The two shapes every service reads rows in for the loaders: rows by their ids, and the rows
//! that hang off each of several owners, grouped by owner.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppResult;

/// The rows of `E` whose `id_column` is one of `ids`, by that id (absent ids are absent).
pub async fn by_ids<E, C>(
    db: &C,
    id_column: E::Column,
    ids: &[i64],
    id: impl Fn(&E::Model) -> i64,
) -> AppResult<HashMap<i64, E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows = E::find()
        .filter(id_column.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (id(&row), row)).collect())
}

/// What each of `owners` has among `rows`, in the order of `rows`: `split` tells a row's owner
/// and what it contributes. Every owner is present, with an empty list where it has nothing.
pub fn grouped<R, T>(
    owners: &[i64],
    rows: impl IntoIterator<Item = R>,
    split: impl Fn(R) -> (i64, T),
) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = owners.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        let (owner, value) = split(row);
        map.entry(owner).or_default().push(value);
    }
    map
}

/// [`grouped`], each owner's list in its values' own order.
pub fn grouped_sorted<R, T: Ord>(
    owners: &[i64],
    rows: impl IntoIterator<Item = R>,
    split: impl Fn(R) -> (i64, T),
) -> HashMap<i64, Vec<T>> {
    let mut map = grouped(owners, rows, split);
    for values in map.values_mut() {
        values.sort();
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_owner_is_present_and_rows_keep_their_order() {
        let rows = vec![(2, "b"), (1, "z"), (2, "a")];
        let map = grouped(&[1, 2, 3], rows.clone(), |r| r);
        assert_eq!(map[&1], vec!["z"]);
        assert_eq!(map[&2], vec!["b", "a"]);
        assert!(map[&3].is_empty());
        assert_eq!(grouped_sorted(&[2], rows, |r| r)[&2], vec!["a", "b"]);
    }
}
