//! International certifications: the standards, and how a certificate's status follows from its
//! record and its dates.

use chrono::NaiveDate;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// An international standard a company can be certified or appraised against.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum CertificationStandard {
    /// CMMI for Development (appraised at maturity levels 2–5, valid 3 years).
    #[sea_orm(string_value = "cmmi_dev")]
    CmmiDev,
    /// CMMI for Services (appraised at maturity levels 2–5, valid 3 years).
    #[sea_orm(string_value = "cmmi_svc")]
    CmmiSvc,
    /// ISO 9001 quality management.
    #[sea_orm(string_value = "iso_9001")]
    #[graphql(name = "ISO_9001")]
    Iso9001,
    /// ISO/IEC 27001 information security management.
    #[sea_orm(string_value = "iso_iec_27001")]
    #[graphql(name = "ISO_IEC_27001")]
    IsoIec27001,
    /// ISO/IEC 20000-1 IT service management.
    #[sea_orm(string_value = "iso_iec_20000_1")]
    #[graphql(name = "ISO_IEC_20000_1")]
    IsoIec20000_1,
    /// ISO 14001 environmental management.
    #[sea_orm(string_value = "iso_14001")]
    #[graphql(name = "ISO_14001")]
    Iso14001,
    /// ISO 45001 occupational health and safety.
    #[sea_orm(string_value = "iso_45001")]
    #[graphql(name = "ISO_45001")]
    Iso45001,
    /// PCI DSS payment card data security.
    #[sea_orm(string_value = "pci_dss")]
    PciDss,
    /// eSourcing Capability Model for Service Providers.
    #[sea_orm(string_value = "escm_sp")]
    EscmSp,
    /// COPC customer experience standard (contact centres).
    #[sea_orm(string_value = "copc")]
    Copc,
    /// SOC 2 service organisation controls report.
    #[sea_orm(string_value = "soc_2")]
    #[graphql(name = "SOC_2")]
    Soc2,
}

impl CertificationStandard {
    pub const ALL: [CertificationStandard; 11] = [
        Self::CmmiDev,
        Self::CmmiSvc,
        Self::Iso9001,
        Self::IsoIec27001,
        Self::IsoIec20000_1,
        Self::Iso14001,
        Self::Iso45001,
        Self::PciDss,
        Self::EscmSp,
        Self::Copc,
        Self::Soc2,
    ];

    /// Whether the standard is appraised at a maturity level (CMMI).
    pub fn has_maturity_level(self) -> bool {
        matches!(self, Self::CmmiDev | Self::CmmiSvc)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CmmiDev => "CMMI-DEV",
            Self::CmmiSvc => "CMMI-SVC",
            Self::Iso9001 => "ISO 9001",
            Self::IsoIec27001 => "ISO/IEC 27001",
            Self::IsoIec20000_1 => "ISO/IEC 20000-1",
            Self::Iso14001 => "ISO 14001",
            Self::Iso45001 => "ISO 45001",
            Self::PciDss => "PCI DSS",
            Self::EscmSp => "eSCM-SP",
            Self::Copc => "COPC",
            Self::Soc2 => "SOC 2",
        }
    }
}

/// The status of a certificate. `EXPIRED` is never recorded: it follows from the expiry date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum CertificationStatus {
    /// In force.
    #[sea_orm(string_value = "active")]
    Active,
    /// Temporarily suspended by the certification body.
    #[sea_orm(string_value = "suspended")]
    Suspended,
    /// Withdrawn by the certification body.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    /// Past its expiry date.
    #[sea_orm(string_value = "expired")]
    Expired,
}

impl CertificationStatus {
    /// The status a reader sees: a withdrawal stands; otherwise a certificate past its expiry
    /// date is expired, whatever was recorded.
    pub fn effective(recorded: Self, expiry_date: NaiveDate, today: NaiveDate) -> Self {
        match recorded {
            Self::Withdrawn => Self::Withdrawn,
            _ if expiry_date < today => Self::Expired,
            other => other,
        }
    }
}

/// Where a certificate record stands in the Department of Commerce's verification.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum VerificationStatus {
    /// Submitted by the company, not yet checked.
    #[sea_orm(string_value = "unverified")]
    Unverified,
    /// Checked against the certification body's register.
    #[sea_orm(string_value = "verified")]
    Verified,
    /// Checked and found not to match the register.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_overrides_active_and_suspended_but_not_withdrawn() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        use CertificationStatus::*;
        assert_eq!(
            CertificationStatus::effective(Active, day(10), day(10)),
            Active
        );
        assert_eq!(
            CertificationStatus::effective(Active, day(9), day(10)),
            Expired
        );
        assert_eq!(
            CertificationStatus::effective(Suspended, day(9), day(10)),
            Expired
        );
        assert_eq!(
            CertificationStatus::effective(Withdrawn, day(9), day(10)),
            Withdrawn
        );
    }
}
