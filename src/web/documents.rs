//! The GraphQL documents the explorer's pages run, one per page, kept as `.graphql` files so
//! that they read as what a partner site would send (a test runs each against the schema).

pub const SEARCH: &str = include_str!("documents/search.graphql");
pub const SUGGEST: &str = include_str!("documents/suggest.graphql");
pub const COMPANY: &str = include_str!("documents/company.graphql");
pub const TENDER: &str = include_str!("documents/tender.graphql");
pub const PARK: &str = include_str!("documents/park.graphql");
pub const STATISTICS: &str = include_str!("documents/statistics.graphql");
pub const COMPARE: &str = include_str!("documents/compare.graphql");
/// GraphiQL's default document: what a visitor runs first.
pub const GRAPHIQL_DEFAULT: &str = include_str!("documents/graphiql_default.graphql");

/// Every document, by name, for the test that validates them.
pub const ALL: [(&str, &str); 8] = [
    ("search", SEARCH),
    ("suggest", SUGGEST),
    ("company", COMPANY),
    ("tender", TENDER),
    ("park", PARK),
    ("statistics", STATISTICS),
    ("compare", COMPARE),
    ("graphiql", GRAPHIQL_DEFAULT),
];
