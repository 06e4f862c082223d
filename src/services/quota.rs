//! Request quotas: a budget of points per caller and fixed time window, charged by each
//! request's computed cost. In memory for one process (the embedded default); in the
//! `rate_limit` table on PostgreSQL, so that every server behind a load balancer draws on the
//! same budget.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::error::{AppError, AppResult};

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

pub enum QuotaStore {
    Memory(Mutex<HashMap<String, (i64, i64)>>),
    Database {
        db: DatabaseConnection,
        charges: AtomicU64,
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
                let mut map = map
                    .lock()
                    .map_err(|_| AppError::internal(anyhow::anyhow!("quota map poisoned")))?;
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
            QuotaStore::Database { db, charges } => {
                if charges.fetch_add(1, Ordering::Relaxed) % 1_000 == 999 {
                    db.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "DELETE FROM rate_limit WHERE window_start < $1",
                        [(window_start - 2 * window_secs).into()],
                    ))
                    .await?;
                }
                // One statement adds the cost only if it fits, atomically across processes.
                let charged = if cost <= budget {
                    db.query_one_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "INSERT INTO rate_limit (subject, window_start, used) VALUES ($1, $2, $3) \
                         ON CONFLICT (subject, window_start) DO UPDATE \
                         SET used = rate_limit.used + excluded.used \
                         WHERE rate_limit.used + excluded.used <= $4 \
                         RETURNING used",
                        [
                            subject.into(),
                            window_start.into(),
                            cost.into(),
                            budget.into(),
                        ],
                    ))
                    .await?
                } else {
                    None
                };
                match charged {
                    Some(row) => Ok(Charge {
                        allowed: true,
                        used: row.try_get("", "used")?,
                        window_start,
                    }),
                    None => {
                        let row = db
                            .query_one_raw(Statement::from_sql_and_values(
                                DbBackend::Postgres,
                                "SELECT used FROM rate_limit WHERE subject = $1 AND window_start = $2",
                                [subject.into(), window_start.into()],
                            ))
                            .await?;
                        let used = match row {
                            Some(row) => row.try_get("", "used")?,
                            None => 0,
                        };
                        Ok(Charge {
                            allowed: false,
                            used,
                            window_start,
                        })
                    }
                }
            }
        }
    }
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
