//! Global IDs: the opaque identifiers the public API gives every object, the URL-safe base64
//! of `Type:number`. Search documents carry them too, so that a facet value is what a filter
//! takes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The object types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Company,
    Park,
    Certification,
    Counterpart,
    Tender,
    Alliance,
    District,
    FreeTradeZoneArea,
    Bid,
    ApiKey,
    AuditEvent,
    TenderAmendment,
    StatisticsTarget,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Company,
        Kind::Park,
        Kind::Certification,
        Kind::Counterpart,
        Kind::Tender,
        Kind::Alliance,
        Kind::District,
        Kind::FreeTradeZoneArea,
        Kind::Bid,
        Kind::ApiKey,
        Kind::AuditEvent,
        Kind::TenderAmendment,
        Kind::StatisticsTarget,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Company => "Company",
            Kind::Park => "Park",
            Kind::Certification => "Certification",
            Kind::Counterpart => "Counterpart",
            Kind::Tender => "Tender",
            Kind::Alliance => "Alliance",
            Kind::District => "District",
            Kind::FreeTradeZoneArea => "FreeTradeZoneArea",
            Kind::Bid => "Bid",
            Kind::ApiKey => "ApiKey",
            Kind::AuditEvent => "AuditEvent",
            Kind::TenderAmendment => "TenderAmendment",
            Kind::StatisticsTarget => "StatisticsTarget",
        }
    }
}

pub fn encode(kind: Kind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name()))
}

/// The type and number of a global ID, if it is one.
pub fn decode(id: &str) -> Option<(Kind, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, number) = text.split_once(':')?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name)?;
    let number: i64 = number.parse().ok()?;
    (number > 0).then_some((kind, number))
}
