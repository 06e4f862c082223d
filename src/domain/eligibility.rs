//! Eligibility: what a tender asks of a bidder, what a bidder (one company, or an alliance's
//! members together) brings, and the criteria it falls short of.

use std::collections::HashSet;

use super::{CertificationStandard, ServiceLine};

/// One criterion of a tender that a bidder does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// `CERTIFICATIONS`, `MIN_EMPLOYEES` or `SERVICE_LINES`.
    pub criterion: &'static str,
    pub message: String,
}

/// What a tender asks of a bidder.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    pub service_lines: Vec<ServiceLine>,
    pub certifications: Vec<CertificationStandard>,
    pub min_employees: Option<i32>,
}

/// What a bidder (one company, or an alliance's members together) brings.
#[derive(Debug, Clone, Default)]
pub struct Capacity {
    pub service_lines: HashSet<ServiceLine>,
    pub certifications: HashSet<CertificationStandard>,
    pub headcount: i64,
}

/// The criteria a bidder fails, empty when it qualifies: it must hold a certificate in force
/// of every required standard, employ at least the minimum, and offer every line asked for.
pub fn shortfalls(required: &Requirements, capacity: &Capacity) -> Vec<Shortfall> {
    let mut out = Vec::new();
    let missing: Vec<&str> = required
        .certifications
        .iter()
        .filter(|s| !capacity.certifications.contains(s))
        .map(|s| s.label())
        .collect();
    if !missing.is_empty() {
        out.push(Shortfall {
            criterion: "CERTIFICATIONS",
            message: format!("no certificate in force of {}", missing.join(", ")),
        });
    }
    if let Some(min) = required.min_employees
        && capacity.headcount < i64::from(min)
    {
        out.push(Shortfall {
            criterion: "MIN_EMPLOYEES",
            message: format!(
                "{} employees, fewer than the {min} required",
                capacity.headcount
            ),
        });
    }
    let lines: Vec<&str> = required
        .service_lines
        .iter()
        .filter(|l| !capacity.service_lines.contains(l))
        .map(|l| l.name_en())
        .collect();
    if !lines.is_empty() {
        out.push(Shortfall {
            criterion: "SERVICE_LINES",
            message: format!("does not offer {}", lines.join(", ")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bidder_that_brings_everything_falls_short_of_nothing() {
        let required = Requirements {
            service_lines: vec![ServiceLine::SoftwareDevelopment],
            certifications: vec![CertificationStandard::CmmiDev],
            min_employees: Some(50),
        };
        let capacity = Capacity {
            service_lines: HashSet::from([ServiceLine::SoftwareDevelopment]),
            certifications: HashSet::from([CertificationStandard::CmmiDev]),
            headcount: 50,
        };
        assert!(shortfalls(&required, &capacity).is_empty());
    }

    #[test]
    fn each_criterion_missed_is_named_once() {
        let required = Requirements {
            service_lines: vec![ServiceLine::SoftwareDevelopment],
            certifications: vec![CertificationStandard::CmmiDev],
            min_employees: Some(50),
        };
        let failed = shortfalls(&required, &Capacity::default());
        let criteria: Vec<&str> = failed.iter().map(|f| f.criterion).collect();
        assert_eq!(
            criteria,
            ["CERTIFICATIONS", "MIN_EMPLOYEES", "SERVICE_LINES"]
        );
    }
}
