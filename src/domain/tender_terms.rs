//! A tender's terms as its buyer sets them, and when they may change: the window its closing
//! time must fall in, the range of a minimum headcount, and the states in which a tender may
//! still be amended.

use chrono::{DateTime, Duration, Utc};

use super::TenderStatus;

/// A term a buyer set outside what a tender may ask.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    #[error("the closing time must be in the future")]
    ClosingPassed,
    #[error("the closing time must be within a year")]
    ClosingTooFar,
    #[error("the minimum headcount must be between 1 and 1,000,000")]
    MinEmployeesOutOfRange,
}

/// A closing time set at `now`: after it, and no more than a year ahead.
pub fn closing_time(value: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, TermError> {
    if value <= now {
        return Err(TermError::ClosingPassed);
    }
    if value > now + Duration::days(366) {
        return Err(TermError::ClosingTooFar);
    }
    Ok(value)
}

/// A minimum headcount, if any: at least one employee, at most a million.
pub fn min_employees(value: Option<i32>) -> Result<Option<i32>, TermError> {
    match value {
        Some(v) if !(1..=1_000_000).contains(&v) => Err(TermError::MinEmployeesOutOfRange),
        other => Ok(other),
    }
}

/// Why a tender may not be amended as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentRefused {
    #[error("a {} tender cannot be changed", super::enum_code(*.0).to_lowercase())]
    Settled(TenderStatus),
    #[error("the tender period has ended; close the tender instead")]
    PeriodEnded,
    #[error("the tender has bids: its value, service lines and eligibility can no longer change")]
    TermsBidOn,
}

/// Whether a tender in `status`, whose tender period ends at `period_end`, may be amended at
/// `now`: while it is planned, or open and not yet past its closing time.
pub fn amendable(
    status: TenderStatus,
    period_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AmendmentRefused> {
    if !matches!(status, TenderStatus::Planning | TenderStatus::Active) {
        return Err(AmendmentRefused::Settled(status));
    }
    if status == TenderStatus::Active && period_end <= now {
        return Err(AmendmentRefused::PeriodEnded);
    }
    Ok(())
}

/// Whether an open tender's terms (value, service lines, eligibility) may change: bids were
/// made against the terms as they stood, so once it has any, those terms stay.
pub fn terms_may_change(changes_terms: bool, has_bids: bool) -> Result<(), AmendmentRefused> {
    if changes_terms && has_bids {
        return Err(AmendmentRefused::TermsBidOn);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_time_falls_within_the_coming_year() {
        let now = Utc::now();
        assert_eq!(closing_time(now, now), Err(TermError::ClosingPassed));
        let later = now + Duration::days(30);
        assert_eq!(closing_time(later, now), Ok(later));
        assert_eq!(
            closing_time(now + Duration::days(367), now),
            Err(TermError::ClosingTooFar)
        );
    }

    #[test]
    fn a_minimum_headcount_is_between_one_and_a_million() {
        assert_eq!(min_employees(None), Ok(None));
        assert_eq!(min_employees(Some(1)), Ok(Some(1)));
        assert_eq!(min_employees(Some(1_000_000)), Ok(Some(1_000_000)));
        assert_eq!(
            min_employees(Some(0)),
            Err(TermError::MinEmployeesOutOfRange)
        );
        assert_eq!(
            min_employees(Some(1_000_001)),
            Err(TermError::MinEmployeesOutOfRange)
        );
    }

    #[test]
    fn only_a_planned_or_open_tender_is_amended() {
        let now = Utc::now();
        let ahead = now + Duration::days(1);
        assert_eq!(amendable(TenderStatus::Planning, now, now), Ok(()));
        assert_eq!(amendable(TenderStatus::Active, ahead, now), Ok(()));
        assert_eq!(
            amendable(TenderStatus::Active, now, now),
            Err(AmendmentRefused::PeriodEnded)
        );
        let refused = amendable(TenderStatus::Complete, ahead, now).unwrap_err();
        assert_eq!(refused.to_string(), "a complete tender cannot be changed");
    }

    #[test]
    fn terms_bid_on_stay() {
        assert_eq!(terms_may_change(true, false), Ok(()));
        assert_eq!(terms_may_change(false, true), Ok(()));
        assert_eq!(
            terms_may_change(true, true),
            Err(AmendmentRefused::TermsBidOn)
        );
    }
}
