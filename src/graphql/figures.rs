//! A company's yearly figures as the API shows them, in US dollars.

use async_graphql::SimpleObject;
use rust_decimal::Decimal;

use crate::entities::company_figures;

/// One year of a company's figures, in US dollars.
#[derive(SimpleObject)]
pub struct CompanyFigures {
    /// The reporting year.
    year: i32,
    /// Value of contracts signed in the year.
    contract_amount_usd: Decimal,
    /// Of which international (offshore) contracts.
    contract_offshore_usd: Decimal,
    /// Value of contracts executed in the year.
    executed_amount_usd: Decimal,
    /// Of which international (offshore) contracts.
    executed_offshore_usd: Decimal,
    /// Employees at the end of the year.
    employees: i32,
}

impl CompanyFigures {
    /// The columns of `company_figures` each field reads (see `Company::reads`).
    pub(crate) fn reads(field: &str) -> Option<&'static [company_figures::Column]> {
        use company_figures::Column as C;
        Some(match field {
            "__typename" => &[],
            "year" => &[C::Year],
            "contractAmountUsd" => &[C::ContractAmountUsdCents],
            "contractOffshoreUsd" => &[C::ContractOffshoreUsdCents],
            "executedAmountUsd" => &[C::ExecutedAmountUsdCents],
            "executedOffshoreUsd" => &[C::ExecutedOffshoreUsdCents],
            "employees" => &[C::Employees],
            _ => return None,
        })
    }
}

impl From<company_figures::Model> for CompanyFigures {
    fn from(f: company_figures::Model) -> Self {
        let usd = |cents: i64| Decimal::new(cents, 2);
        CompanyFigures {
            year: f.year,
            contract_amount_usd: usd(f.contract_amount_usd_cents),
            contract_offshore_usd: usd(f.contract_offshore_usd_cents),
            executed_amount_usd: usd(f.executed_amount_usd_cents),
            executed_offshore_usd: usd(f.executed_offshore_usd_cents),
            employees: f.employees,
        }
    }
}
