//! Who is asking: the roles an API key carries, and the actor a request runs as.

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// What an API key may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum Role {
    /// The Department of Commerce: keeps parks, companies and counterparts, verifies
    /// certificates, manages keys, reads everything.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// A company: keeps its own profile and certificates, answers tenders, forms alliances.
    #[sea_orm(string_value = "company")]
    Company,
    /// A counterpart (buyer): posts and awards tenders, reads the answers to its own.
    #[sea_orm(string_value = "counterpart")]
    Counterpart,
    /// A partner website: reads the public record, with a quota of its own.
    #[sea_orm(string_value = "partner")]
    Partner,
}

/// The caller of one request: anonymous, or the holder of one API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Actor {
    /// No key: a reader of the public record.
    #[default]
    Anonymous,
    /// A key holder; `key_id` is `None` on the command line, where no key is used.
    Key {
        key_id: Option<i64>,
        role: Role,
        /// The company a `company` key is bound to.
        company_id: Option<i64>,
        /// The counterpart a `counterpart` key is bound to.
        counterpart_id: Option<i64>,
    },
}

impl Actor {
    /// The command line acting as the Department of Commerce.
    pub const CLI_ADMIN: Actor = Actor::Key {
        key_id: None,
        role: Role::Admin,
        company_id: None,
        counterpart_id: None,
    };

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Anonymous => None,
            Actor::Key { role, .. } => Some(*role),
        }
    }

    pub fn key_id(&self) -> Option<i64> {
        match self {
            Actor::Anonymous => None,
            Actor::Key { key_id, .. } => *key_id,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    /// The company this actor acts for, if it is a company.
    pub fn company(&self) -> Option<i64> {
        match self {
            Actor::Key {
                role: Role::Company,
                company_id,
                ..
            } => *company_id,
            _ => None,
        }
    }

    /// The counterpart this actor acts for, if it is a counterpart.
    pub fn counterpart(&self) -> Option<i64> {
        match self {
            Actor::Key {
                role: Role::Counterpart,
                counterpart_id,
                ..
            } => *counterpart_id,
            _ => None,
        }
    }
}
