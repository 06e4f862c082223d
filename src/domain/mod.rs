//! Plain domain types and their validation: no I/O.
//!
//! The enumerations here derive both their database mapping (sea-orm `ActiveEnum`, stored as
//! lowercase strings) and their GraphQL enum, so that one concept has one name in Rust, in the
//! database and in the API, and a new variant cannot be added to one side only.

pub mod access;
pub mod certification;
pub mod eligibility;
pub mod global_id;
pub mod money;
pub mod ocid;
pub mod place;
pub mod search;
pub mod service_line;
pub mod tender;
pub mod tender_terms;
pub mod uscc;

pub use access::{Actor, Role};
pub use certification::{CertificationStandard, CertificationStatus, VerificationStatus};
pub use eligibility::{Capacity, Requirements, Shortfall};
pub use money::{Currency, Money, MoneyError};
pub use ocid::OcidPrefix;
pub use place::{DistrictCode, ParkLevel};
pub use search::{EmployeeBand, SearchType};
pub use service_line::{ServiceLine, ServiceLineFamily};
pub use tender::{BidKind, BidStatus, CounterpartKind, TenderStatus};
pub use uscc::{Uscc, UsccError};

/// Bytes as lowercase hexadecimal: key digests, random tokens.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// China Standard Time (UTC+8), the province's clock.
pub const CHINA_STANDARD_TIME: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// Today's date in Jiangxi: the day on which a certificate expires there, whatever the
/// server's time zone.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&CHINA_STANDARD_TIME)
        .date_naive()
}

/// The public code of a stored enumeration: its stored value in upper case, which is also its
/// GraphQL enum value (`software_development` is `SOFTWARE_DEVELOPMENT`). Search documents,
/// facets and filters speak these codes.
pub fn enum_code<E: sea_orm::ActiveEnum<Value = String>>(value: E) -> String {
    value.to_value().to_uppercase()
}

/// `text` with the characters that mean something in HTML replaced by their entities.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
