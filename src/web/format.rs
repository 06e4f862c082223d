//! Numbers, amounts and dates as a reader of each language expects them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::lang::Lang;

/// `1234567` as `1,234,567`.
pub fn integer(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A decimal given as text by the API (`"1417000000.00"`), whole units grouped.
pub fn whole(amount: &str) -> String {
    amount
        .parse::<Decimal>()
        .ok()
        .and_then(|d| d.round().to_i64())
        .map(integer)
        .unwrap_or_else(|| amount.to_owned())
}

/// A US-dollar amount in words of its size: `USD 1.417 billion`, `14.17 亿美元`.
pub fn usd(lang: Lang, amount: &str) -> String {
    let Some(value) = amount.parse::<Decimal>().ok().and_then(|d| d.to_f64()) else {
        return amount.to_owned();
    };
    match lang {
        Lang::En if value >= 1e9 => format!("USD {:.3} billion", value / 1e9),
        Lang::En if value >= 1e6 => format!("USD {:.2} million", value / 1e6),
        Lang::En => format!("USD {}", whole(amount)),
        Lang::Zh if value >= 1e8 => format!("{:.2} 亿美元", value / 1e8),
        Lang::Zh if value >= 1e4 => format!("{:.2} 万美元", value / 1e4),
        Lang::Zh => format!("{} 美元", whole(amount)),
    }
}

/// A sum of money in a currency, in full: `CNY 1,200,000.00`, `1,200,000.00 元`.
pub fn money(lang: Lang, amount: &str, currency: &str) -> String {
    let grouped = match amount.parse::<Decimal>() {
        Ok(d) => {
            let d = d.round_dp(2);
            let units = d.trunc().to_i64().map(integer).unwrap_or_default();
            let cents = ((d.fract().abs() * Decimal::from(100)).round())
                .to_i64()
                .unwrap_or(0);
            format!("{units}.{cents:02}")
        }
        Err(_) => amount.to_owned(),
    };
    match (lang, currency) {
        (Lang::Zh, "CNY") => format!("{grouped} 元"),
        (Lang::Zh, "USD") => format!("{grouped} 美元"),
        _ => format!("{currency} {grouped}"),
    }
}

/// A growth rate given in percent by the API (`"18.25"`), signed: `+18.25%`.
pub fn percent(rate: Option<&str>) -> String {
    match rate.and_then(|r| r.parse::<Decimal>().ok()) {
        Some(d) if d > Decimal::ZERO => format!("+{}%", d.round_dp(2)),
        Some(d) => format!("{}%", d.round_dp(2)),
        None => "–".to_owned(),
    }
}

/// A date (`2026-03-01`) or a moment (`2026-03-01T08:00:00Z`): `1 Mar 2026`, `2026年3月1日`.
pub fn date(lang: Lang, value: &str) -> String {
    let day = DateTime::parse_from_rfc3339(value)
        .map(|d| d.with_timezone(&Utc).date_naive())
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"));
    match (day, lang) {
        (Ok(day), Lang::En) => day.format("%-d %b %Y").to_string(),
        (Ok(day), Lang::Zh) => day.format("%Y年%-m月%-d日").to_string(),
        (Err(_), _) => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_published() {
        assert_eq!(integer(1056), "1,056");
        assert_eq!(integer(116000), "116,000");
        assert_eq!(integer(-1234567), "-1,234,567");
        assert_eq!(integer(12), "12");
        assert_eq!(usd(Lang::En, "1417000000.00"), "USD 1.417 billion");
        assert_eq!(usd(Lang::Zh, "1417000000.00"), "14.17 亿美元");
        assert_eq!(money(Lang::En, "1200000.5", "CNY"), "CNY 1,200,000.50");
        assert_eq!(money(Lang::Zh, "1200000", "CNY"), "1,200,000.00 元");
        assert_eq!(percent(Some("18.25")), "+18.25%");
        assert_eq!(percent(Some("-2.5")), "-2.5%");
        assert_eq!(date(Lang::En, "2026-03-01T08:00:00Z"), "1 Mar 2026");
        assert_eq!(date(Lang::Zh, "2026-03-01"), "2026年3月1日");
    }
}
