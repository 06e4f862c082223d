//! Service lines as a company's row holds them: one bit each in `company.service_line_mask`,
//! the bits being the storage's (`migration::SERVICE_LINE_BITS`). Lists filter by line on it,
//! and the statistics rollups find a company's families in it.

use crate::domain::{ServiceLine, ServiceLineFamily};

/// The lines, one bit each, as `company.service_line_mask` holds them: the bits are the
/// storage's (`migration::SERVICE_LINE_BITS`).
pub fn line_mask(lines: impl IntoIterator<Item = ServiceLine>) -> i64 {
    use sea_orm::ActiveEnum;
    lines.into_iter().fold(0, |mask, line| {
        let stored = line.to_value();
        migration::SERVICE_LINE_BITS
            .iter()
            .find(|(name, _)| *name == stored)
            .map_or(mask, |(_, bit)| mask | (1 << bit))
    })
}

/// The bits of a family's lines.
pub fn family_mask(family: ServiceLineFamily) -> i64 {
    line_mask(family.lines())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, not only those `ServiceLine::ALL` lists: a line without a bit would
    /// filter to nothing.
    #[test]
    fn every_line_has_a_bit_of_its_own() {
        use sea_orm::Iterable;
        let lines: Vec<ServiceLine> = ServiceLine::iter().collect();
        for &line in &lines {
            assert_eq!(line_mask([line]).count_ones(), 1, "{line:?}");
        }
        assert_eq!(
            line_mask(lines.iter().copied()).count_ones() as usize,
            lines.len()
        );
    }
}
