//! Money in the API: `Money` as answers show it and `MoneyInput` as callers send it, both an
//! amount in an ISO 4217 currency.

use async_graphql::{InputObject, Result, SimpleObject};
use rust_decimal::Decimal;

use crate::domain::{Currency, Money as DomainMoney};
use crate::error::AppError;

/// An amount of money in an ISO 4217 currency.
#[derive(SimpleObject)]
pub struct Money {
    /// The amount, as a decimal string.
    amount: Decimal,
    /// ISO 4217 currency code.
    currency: String,
}

impl From<DomainMoney> for Money {
    fn from(m: DomainMoney) -> Self {
        Money {
            amount: m.amount,
            currency: m.currency.code().to_owned(),
        }
    }
}

/// An amount of money in an ISO 4217 currency, as a caller sends it.
#[derive(InputObject, Clone)]
pub struct MoneyInput {
    /// The amount, a decimal string no finer than the currency's minor unit ("1250000.50").
    pub amount: Decimal,
    /// ISO 4217 currency code, e.g. CNY or USD.
    pub currency: String,
}

impl MoneyInput {
    /// Validates the money; errors name `field.amount` or `field.currency`.
    pub fn parse(&self, field: &str) -> Result<DomainMoney, AppError> {
        let currency = Currency::parse(&self.currency)
            .map_err(|e| AppError::bad_field(format!("{field}.currency"), e.to_string()))?;
        DomainMoney::new(self.amount, currency)
            .map_err(|e| AppError::bad_field(format!("{field}.amount"), e.to_string()))
    }
}

/// An optional money field of an input, validated.
pub(crate) fn money_field(
    value: Option<&MoneyInput>,
    field: &str,
) -> std::result::Result<Option<DomainMoney>, AppError> {
    value.map(|m| m.parse(field)).transpose()
}
