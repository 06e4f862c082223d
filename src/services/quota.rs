//! Request quotas: a budget of points per caller and fixed time window, charged by each
//! request's computed cost. In memory for one process (the embedded default); in the
//! `rate_limit` table on PostgreSQL, so that every server behind a load balancer draws on the
//! same budget.
//!
//! On PostgreSQL a server does not write the shared counter for every request: it takes a
//! lease of 1/64 of the caller's budget at a time and spends it locally, and only charges
//! point by point once the budget is nearly spent. No caller ever spends more than its budget;
//! behind N servers a caller can be refused at most (N - 1)/64 of its budget early, the leases
//! the other servers hold and have not spent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::error::{AppError, AppResult};

/// The share of a caller's budget a server takes from the shared counter at once.
const LEASE_FRACTION: i64 = 64;

/// The outcome of one charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// Whether the cost fitted in what was left; a refused request is not charged.
    pub allowed: bool,
    /// Points used in this window, this request included when allowed.
    pub used: i64,
    /// When this window began (seconds since the Unix epoch).
    pub window_start: i64,
}

/// What this server holds of one caller's budget in one window.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    window_start: i64,
    /// Points taken from the shared counter and not yet spent.
    unspent: i64,
    /// The shared counter as this server last saw it (its unspent points included).
    shared_used: i64,
}

impl Lease {
    fn charge(&self, allowed: bool) -> Charge {
        Charge {
            allowed,
            used: (self.shared_used - self.unspent).max(0),
            window_start: self.window_start,
        }
    }
}

pub enum QuotaStore {
    Memory(Mutex<HashMap<String, (i64, i64)>>),
    Database {
        db: DatabaseConnection,
        charges: AtomicU64,
        leases: Mutex<HashMap<String, Lease>>,
    },
}

impl QuotaStore {
    pub fn memory() -> Self {
        QuotaStore::Memory(Mutex::new(HashMap::new()))
    }

    pub fn database(db: DatabaseConnection) -> Self {
        QuotaStore::Database {
            db,
            charges: AtomicU64::new(0),
            leases: Mutex::new(HashMap::new()),
        }
    }

    /// Charges `cost` points to `subject` if they fit in `budget` for the current window.
    pub async fn charge(
        &self,
        subject: &str,
        budget: i64,
        cost: i64,
        window_secs: i64,
        now: i64,
    ) -> AppResult<Charge> {
        let window_start = now - now.rem_euclid(window_secs.max(1));
        match self {
            QuotaStore::Memory(map) => {
                let mut map = lock(map)?;
                if map.len() > 100_000 {
                    // Old windows of callers gone quiet: drop them rather than grow forever.
                    map.retain(|_, (start, _)| *start == window_start);
                }
                let entry = map.entry(subject.to_owned()).or_insert((window_start, 0));
                if entry.0 != window_start {
                    *entry = (window_start, 0);
                }
                let allowed = entry.1 + cost <= budget;
                if allowed {
                    entry.1 += cost;
                }
                Ok(Charge {
                    allowed,
                    used: entry.1,
                    window_start,
                })
            }
            QuotaStore::Database {
                db,
                charges,
                leases,
            } => {
                if charges.fetch_add(1, Ordering::Relaxed) % 1_000 == 999 {
                    db.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "DELETE FROM rate_limit WHERE window_start < $1",
                        [(window_start - 2 * window_secs).into()],
                    ))
                    .await?;
                }
                charge_shared(db, leases, subject, budget, cost, window_start).await
            }
        }
    }
}

/// Charges `cost` from this server's lease of the caller's budget, leasing more from the shared
/// counter when what it holds does not cover the cost.
async fn charge_shared(
    db: &DatabaseConnection,
    leases: &Mutex<HashMap<String, Lease>>,
    subject: &str,
    budget: i64,
    cost: i64,
    window_start: i64,
) -> AppResult<Charge> {
    // A few rounds at most: requests of the same caller running at once may spend what one of
    // them leased before it gets to.
    for _ in 0..4 {
        let unspent = {
            let mut leases = lock(leases)?;
            if leases.len() > 100_000 {
                // Callers gone quiet since an earlier window.
                leases.retain(|_, lease| lease.window_start == window_start);
            }
            let lease = held(&mut leases, subject, window_start);
            if lease.unspent >= cost {
                lease.unspent -= cost;
                return Ok(lease.charge(true));
            }
            lease.unspent
        };
        let need = cost - unspent;
        let wanted = (budget / LEASE_FRACTION).max(need);
        let mut taken = add_if_fits(db, subject, window_start, wanted, budget)
            .await?
            .map(|used| (used, wanted));
        if taken.is_none() && wanted > need {
            // Nearly spent: take only what this request needs.
            taken = add_if_fits(db, subject, window_start, need, budget)
                .await?
                .map(|used| (used, need));
        }
        let Some((shared_used, points)) = taken else {
            let shared_used = shared_used(db, subject, window_start).await?;
            let mut leases = lock(leases)?;
            let lease = held(&mut leases, subject, window_start);
            lease.shared_used = lease.shared_used.max(shared_used);
            return Ok(lease.charge(false));
        };
        let mut leases = lock(leases)?;
        let lease = held(&mut leases, subject, window_start);
        lease.unspent += points;
        lease.shared_used = lease.shared_used.max(shared_used);
    }
    let mut leases = lock(leases)?;
    Ok(held(&mut leases, subject, window_start).charge(false))
}

/// This server's lease of `subject`'s budget for the window, empty if it holds none.
fn held<'a>(
    leases: &'a mut HashMap<String, Lease>,
    subject: &str,
    window_start: i64,
) -> &'a mut Lease {
    let empty = Lease {
        window_start,
        unspent: 0,
        shared_used: 0,
    };
    let lease = leases.entry(subject.to_owned()).or_insert(empty);
    if lease.window_start != window_start {
        *lease = empty;
    }
    lease
}

/// Adds `points` to the shared counter if the sum stays within `budget`, atomically across
/// servers; the new sum, or nothing if it did not fit.
async fn add_if_fits(
    db: &DatabaseConnection,
    subject: &str,
    window_start: i64,
    points: i64,
    budget: i64,
) -> AppResult<Option<i64>> {
    if points > budget {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO rate_limit (subject, window_start, used) VALUES ($1, $2, $3) \
             ON CONFLICT (subject, window_start) DO UPDATE \
             SET used = rate_limit.used + excluded.used \
             WHERE rate_limit.used + excluded.used <= $4 \
             RETURNING used",
            [
                subject.into(),
                window_start.into(),
                points.into(),
                budget.into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get("", "used")?),
        None => None,
    })
}

/// The shared counter: what every server has charged or leased in the window.
async fn shared_used(db: &DatabaseConnection, subject: &str, window_start: i64) -> AppResult<i64> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT used FROM rate_limit WHERE subject = $1 AND window_start = $2",
            [subject.into(), window_start.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "used")?,
        None => 0,
    })
}

fn lock<T>(mutex: &Mutex<T>) -> AppResult<std::sync::MutexGuard<'_, T>> {
    mutex
        .lock()
        .map_err(|_| AppError::internal(anyhow::anyhow!("quota state poisoned")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_budget_is_spent_within_its_window_and_renewed_in_the_next() {
        let store = QuotaStore::memory();
        let charge = |cost, now| store.charge("ip:1", 10, cost, 60, now);
        assert_eq!(
            charge(6, 120).await.unwrap(),
            Charge {
                allowed: true,
                used: 6,
                window_start: 120
            }
        );
        assert!(charge(4, 130).await.unwrap().allowed);
        // Full: refused, and not charged.
        assert_eq!(
            charge(1, 179).await.unwrap(),
            Charge {
                allowed: false,
                used: 10,
                window_start: 120
            }
        );
        assert_eq!(
            charge(1, 180).await.unwrap(),
            Charge {
                allowed: true,
                used: 1,
                window_start: 180
            }
        );
        assert!(!charge(11, 181).await.unwrap().allowed);
    }
}
