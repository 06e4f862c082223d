//! The direction every ordered list takes.

use async_graphql::Enum;

/// Which way an order runs.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}
