//! sea-orm entities, one per table. Storage shapes only: no GraphQL here, no behaviour beyond
//! what sea-orm needs. Services turn them into answers; the GraphQL layer wraps them.

pub mod alliance;
pub mod alliance_member;
pub mod api_key;
pub mod audit_event;
pub mod audit_event_object;
pub mod bid;
pub mod certification;
pub mod company;
pub mod company_figures;
pub mod company_service_line;
pub mod counterpart;
pub mod district;
pub mod ftz_area;
pub mod idempotency_key;
pub mod park;
pub mod park_focus_industry;
pub mod search_outbox;
pub mod statistics_rollup;
pub mod statistics_target;
pub mod tender;
pub mod tender_amendment;
pub mod tender_release;
pub mod tender_release_clock;
pub mod tender_required_certification;
pub mod tender_service_line;
