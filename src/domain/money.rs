//! Money: an exact decimal amount in an ISO 4217 currency.
//!
//! Amounts are stored as integer minor units of their currency (cents for USD, fen for CNY, yen
//! for JPY): exact on SQLite and PostgreSQL alike, and exact under `SUM`. The public API speaks
//! decimals.

use rust_decimal::Decimal;

/// The ISO 4217 currencies the platform accepts, with their minor-unit exponents.
const CURRENCIES: &[(&str, u32)] = &[
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("MOP", 2),
    ("SGD", 2),
    ("TWD", 2),
    ("USD", 2),
];

/// A validated ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a supported ISO 4217 currency code")]
    UnknownCurrency(String),
    #[error("{amount} {currency} has more decimal places than the currency's {exponent}")]
    TooPrecise {
        amount: Decimal,
        currency: &'static str,
        exponent: u32,
    },
    #[error("amounts must not be negative")]
    Negative,
    #[error("amount out of range")]
    OutOfRange,
}

impl Currency {
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// An amount of money in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    /// Validates a user-supplied amount: not negative, no finer than the currency's minor unit.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        if amount.normalize().scale() > currency.exponent {
            return Err(MoneyError::TooPrecise {
                amount,
                currency: currency.code,
                exponent: currency.exponent,
            });
        }
        Ok(Self { amount, currency })
    }

    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self {
            amount: Decimal::new(minor, currency.exponent),
            currency,
        }
    }

    pub fn usd_cents(cents: i64) -> Self {
        Self::from_minor(cents, Currency::USD)
    }

    pub fn to_minor(&self) -> Result<i64, MoneyError> {
        // Checked: a Decimal as large as a caller may send overflows when scaled.
        let scaled = self
            .amount
            .checked_mul(Decimal::from(10i64.pow(self.currency.exponent)))
            .ok_or(MoneyError::OutOfRange)?;
        i64::try_from(scaled.trunc()).map_err(|_| MoneyError::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_unknown_currencies_and_sub_minor_amounts() {
        assert!(Currency::parse("XYZ").is_err());
        let jpy = Currency::parse("jpy").unwrap();
        assert!(Money::new(Decimal::new(105, 1), jpy).is_err());
        assert!(Money::new(Decimal::new(-1, 0), Currency::USD).is_err());
        assert_eq!(
            Money::new(Decimal::new(1000, 2), jpy)
                .unwrap()
                .to_minor()
                .unwrap(),
            10
        );
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in 0i64..=i64::MAX / 1000) {
            let money = Money::usd_cents(minor);
            prop_assert_eq!(Money::new(money.amount, Currency::USD).unwrap().to_minor().unwrap(), minor);
        }
    }
}
