//! The lines of service a company offers, also as one bit each on its own row. The commonest
//! list a partner site shows is one district's companies in name order narrowed to a line: the
//! database walks the district's companies in that order, and with the mask on the row it
//! checks each one as it passes instead of probing `company_service_line` once per company
//! (about 200 probes for a page of 20 at 100,000 companies). `company_service_line` stays the
//! record; the mask is written in the same transaction as it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Company {
    Table,
    ServiceLineMask,
}

/// Each line's bit, as stored. Never renumber one: masks written earlier keep their bits.
pub const SERVICE_LINE_BITS: &[(&str, u32)] = &[
    ("software_development", 0),
    ("it_operations", 1),
    ("system_integration", 2),
    ("software_testing", 3),
    ("information_security", 4),
    ("data_processing", 5),
    ("call_centre", 6),
    ("human_resources", 7),
    ("finance_and_accounting", 8),
    ("supply_chain", 9),
    ("research_and_development", 10),
    ("engineering_design", 11),
    ("data_analytics", 12),
    ("animation_and_creative_design", 13),
    ("medical_and_pharma_research", 14),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Company::Table)
                    .add_column(
                        ColumnDef::new(Company::ServiceLineMask)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        // One pass over the companies: a line appears once per company (it is part of the
        // key), so the sum of the bits is their union.
        let bits: String = SERVICE_LINE_BITS
            .iter()
            .map(|(line, bit)| format!(" WHEN '{line}' THEN {}", 1_i64 << bit))
            .collect();
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE company SET service_line_mask = (SELECT COALESCE(SUM(CASE service_line\
                 {bits} ELSE 0 END), 0) FROM company_service_line \
                 WHERE company_service_line.company_id = company.id)"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Company::Table)
                    .drop_column(Company::ServiceLineMask)
                    .to_owned(),
            )
            .await
    }
}
