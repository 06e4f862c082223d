//! Rows read along with others in one statement, with only the columns a query selects: each
//! table's columns are selected in its entity's order and read back by position.

use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

/// Which columns of `E` a statement reads. A page of which the query reads a few fields reads
/// only their columns: the database's work and the server's grow with the values sent, not
/// their size. Columns left out read back as a [`Blank`], so a model read under a projection
/// may reach only the fields that read the columns it holds: never a loader's cache, which any
/// field of the request could read whole.
pub struct Projection<E> {
    mask: u64,
    entity: std::marker::PhantomData<fn() -> E>,
}

impl<E> Clone for Projection<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Projection<E> {}

impl<E> std::fmt::Debug for Projection<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Projection({:#b})", self.mask)
    }
}

impl<E: EntityTrait> Projection<E> {
    fn with_mask(mask: u64) -> Self {
        Self {
            mask,
            entity: std::marker::PhantomData,
        }
    }

    /// Every column: what a page reads when the query asks for a field whose columns are
    /// not known.
    pub fn all() -> Self {
        Self::with_mask(E::Column::iter().fold(0, |mask, c| mask | bit::<E>(c)))
    }

    /// These columns only.
    pub fn of(columns: &[E::Column]) -> Self {
        Self::with_mask(0).and(columns)
    }

    /// These columns as well.
    #[must_use]
    pub fn and(self, columns: &[E::Column]) -> Self {
        Self::with_mask(
            columns
                .iter()
                .fold(self.mask, |mask, &c| mask | bit::<E>(c)),
        )
    }

    pub fn has(&self, column: E::Column) -> bool {
        self.mask & bit::<E>(column) != 0
    }

    /// The columns read, in the entity's order (the order [`Projected::read_projected`]
    /// expects them in).
    pub fn columns(self) -> impl Iterator<Item = E::Column> {
        E::Column::iter().filter(move |&c| self.has(c))
    }
}

/// A column's bit: its place among its entity's columns, in declaration order.
fn bit<E: EntityTrait>(column: E::Column) -> u64 {
    let name = column.as_str();
    E::Column::iter()
        .position(|c| c.as_str() == name)
        .map_or(0, |place| 1 << place)
}

/// Selects `projection`'s columns of the table (or subquery) `from`, in the entity's order.
pub fn select_projected<E: EntityTrait>(
    query: &mut SelectStatement,
    from: impl sea_orm::sea_query::IntoIden + Clone,
    projection: Projection<E>,
) {
    for column in projection.columns() {
        query.expr(column.select_as(Expr::col((from.clone(), column))));
    }
}

/// A model read from the columns a [`Projection`] selected, by position: no column is looked
/// up by name. `start` is the place of the first column selected.
pub trait Projected: Sized {
    type Entity: EntityTrait;

    fn read_projected(
        row: &QueryResult,
        start: usize,
        projection: Projection<Self::Entity>,
    ) -> Result<Self, DbErr>;
}

/// What a column that was not read holds in a model read under a projection.
pub trait Blank {
    fn blank() -> Self;
}

macro_rules! blank_by_default {
    ($($t:ty),*) => {$(impl Blank for $t { fn blank() -> Self { <$t>::default() } })*};
}
blank_by_default!(
    i16,
    i32,
    i64,
    bool,
    String,
    chrono::NaiveDate,
    chrono::DateTime<chrono::Utc>
);

impl<T> Blank for Option<T> {
    fn blank() -> Self {
        None
    }
}

macro_rules! blank_variant {
    ($($t:ident :: $variant:ident),*) => {
        $(impl Blank for crate::domain::$t { fn blank() -> Self { Self::$variant } })*
    };
}
blank_variant!(
    CertificationStandard::CmmiDev,
    CertificationStatus::Active,
    VerificationStatus::Unverified,
    TenderStatus::Planning,
    CounterpartKind::FtzEnterprise,
    ParkLevel::Other
);

/// Implements [`Projected`] for an entity's model. The fields are listed in the entity's
/// declaration order (a test checks it); the struct literal makes the compiler check that
/// none is missing.
macro_rules! projected {
    ($($entity:ident { $($field:ident),* $(,)? })*) => {
        $(
            impl Projected for crate::entities::$entity::Model {
                type Entity = crate::entities::$entity::Entity;

                fn read_projected(
                    row: &QueryResult,
                    start: usize,
                    projection: Projection<Self::Entity>,
                ) -> Result<Self, DbErr> {
                    let mut at = start;
                    let mut place = 0u32;
                    $(
                        let $field = if projection.mask & (1 << place) != 0 {
                            at += 1;
                            row.try_get_by_index(at - 1)?
                        } else {
                            Blank::blank()
                        };
                        place += 1;
                    )*
                    let _ = (at, place);
                    Ok(Self { $($field),* })
                }
            }
        )*

        #[cfg(test)]
        const PROJECTED_FIELDS: &[(&str, &[&str])] = &[
            $((stringify!($entity), &[$(stringify!($field)),*])),*
        ];
    };
}

projected! {
    company {
        id, uscc, name_zh, name_en, district_id, park_id, headcount, founded_year, description,
        description_zh, website, contact_email, contact_phone, leading, service_line_mask,
        created_at, updated_at,
    }
    certification {
        id, company_id, standard, maturity_level, certificate_number, certification_body,
        accreditation_body, scope, issue_date, expiry_date, status, verification,
        verification_source, verified_by, verified_at, rejection_reason, created_at,
    }
    tender {
        id, ocid, title_en, title_zh, description_en, description_zh, counterpart_id, status,
        value_amount_minor, value_currency, tender_period_start, tender_period_end,
        min_employees, published_at, created_at, updated_at,
    }
    counterpart {
        id, name_en, name_zh, kind, ftz_area_id, city, uscc, description, website, created_at,
    }
    park {
        id, name_en, name_zh, level, district_id, description, preferential_policies, website,
        established_year, created_at,
    }
    company_figures {
        company_id, year, contract_amount_usd_cents, contract_offshore_usd_cents,
        executed_amount_usd_cents, executed_offshore_usd_cents, employees,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{certification, company, company_figures, counterpart, park, tender};

    fn names<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    /// A projected read takes the k-th selected column as the k-th projected field: the
    /// macro's field lists must follow the entities' column order.
    #[test]
    fn projected_fields_follow_the_entities_column_order() {
        let expected = [
            ("company", names::<company::Entity>()),
            ("certification", names::<certification::Entity>()),
            ("tender", names::<tender::Entity>()),
            ("counterpart", names::<counterpart::Entity>()),
            ("park", names::<park::Entity>()),
            ("company_figures", names::<company_figures::Entity>()),
        ];
        for (entity, columns) in expected {
            let listed = PROJECTED_FIELDS
                .iter()
                .find(|(name, _)| *name == entity)
                .map(|(_, fields)| fields.to_vec());
            assert_eq!(listed, Some(columns), "{entity}");
        }
    }

    #[test]
    fn a_projection_holds_what_it_was_given_and_lists_it_in_column_order() {
        let p = Projection::<company::Entity>::of(&[company::Column::Headcount])
            .and(&[company::Column::NameEn, company::Column::Id]);
        assert!(p.has(company::Column::NameEn));
        assert!(!p.has(company::Column::Description));
        let listed: Vec<_> = p.columns().map(|c| c.as_str()).collect();
        assert_eq!(listed, ["id", "name_en", "headcount"]);
        assert_eq!(
            Projection::<company::Entity>::all().columns().count(),
            names::<company::Entity>().len()
        );
    }
}
