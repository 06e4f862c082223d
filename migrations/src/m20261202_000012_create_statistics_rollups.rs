//! The statistics rollups and the targets the Department follows.
//!
//! `statistics_rollup` holds each year's totals per scope (the province, each district, each
//! park, each service-line family), kept by the writes that change them in their own
//! transaction; the statistics read only these rows. `statistics_rollup_state` is one row
//! saying when the rollups were last rebuilt from the records: empty (`rebuilt_at` null) right
//! after this migration, so the first start over existing records rebuilds them once.
//! `statistics_target` holds the targets set for a figure, the province or one district, from
//! a year on.

use sea_orm_migration::prelude::*;

use crate::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StatisticsRollup {
    Table,
    Year,
    Scope,
    Member,
    Companies,
    Employees,
    ContractUsdCents,
    ContractOffshoreUsdCents,
    ExecutedUsdCents,
    ExecutedOffshoreUsdCents,
    NewCertificates,
    TendersPublished,
    TendersAwarded,
    Bids,
}

#[derive(DeriveIden)]
enum StatisticsRollupState {
    Table,
    Id,
    RebuiltAt,
}

#[derive(DeriveIden)]
enum StatisticsTarget {
    Table,
    Id,
    Figure,
    DistrictId,
    ScopeKey,
    Year,
    Level,
    GrowthBasisPoints,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum District {
    Table,
    Id,
}

const TARGET_INDEX: &str = "ux_statistics_target_figure_scope_year";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let total = |column: StatisticsRollup| {
            ColumnDef::new(column)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(StatisticsRollup::Table)
                    .col(ColumnDef::new(StatisticsRollup::Year).integer().not_null())
                    // `province` (member 0), `district` (its id), `park` (its id) or `family`
                    // (1 ITO, 2 BPO, 3 KPO).
                    .col(
                        ColumnDef::new(StatisticsRollup::Scope)
                            .string_len(10)
                            .not_null()
                            .check(one_of(
                                StatisticsRollup::Scope,
                                &["province", "district", "park", "family"],
                            )),
                    )
                    .col(
                        ColumnDef::new(StatisticsRollup::Member)
                            .big_integer()
                            .not_null(),
                    )
                    .col(total(StatisticsRollup::Companies))
                    .col(total(StatisticsRollup::Employees))
                    .col(total(StatisticsRollup::ContractUsdCents))
                    .col(total(StatisticsRollup::ContractOffshoreUsdCents))
                    .col(total(StatisticsRollup::ExecutedUsdCents))
                    .col(total(StatisticsRollup::ExecutedOffshoreUsdCents))
                    .col(total(StatisticsRollup::NewCertificates))
                    .col(total(StatisticsRollup::TendersPublished))
                    .col(total(StatisticsRollup::TendersAwarded))
                    .col(total(StatisticsRollup::Bids))
                    .primary_key(
                        Index::create()
                            .col(StatisticsRollup::Year)
                            .col(StatisticsRollup::Scope)
                            .col(StatisticsRollup::Member),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatisticsRollupState::Table)
                    .col(
                        ColumnDef::new(StatisticsRollupState::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(StatisticsRollupState::RebuiltAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(StatisticsRollupState::Table)
                    .columns([StatisticsRollupState::Id])
                    .values_panic([1.into()])
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatisticsTarget::Table)
                    .col(
                        ColumnDef::new(StatisticsTarget::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(StatisticsTarget::Figure)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                StatisticsTarget::Figure,
                                &["companies", "employees"],
                            )),
                    )
                    // Absent for the province's own target.
                    .col(
                        ColumnDef::new(StatisticsTarget::DistrictId)
                            .big_integer()
                            .null(),
                    )
                    // `province` or `district:<id>`: one target per figure, scope and year,
                    // which a unique index can hold on both stores (a null district would
                    // not be equal to itself there).
                    .col(
                        ColumnDef::new(StatisticsTarget::ScopeKey)
                            .string_len(40)
                            .not_null(),
                    )
                    // The year the target is set for: it holds from then until a later one.
                    .col(ColumnDef::new(StatisticsTarget::Year).integer().not_null())
                    // The figure to exceed.
                    .col(
                        ColumnDef::new(StatisticsTarget::Level)
                            .big_integer()
                            .not_null()
                            .check(Expr::col(StatisticsTarget::Level).gte(0)),
                    )
                    // The yearly growth to reach, in hundredths of a percent (2500 = 25%).
                    .col(
                        ColumnDef::new(StatisticsTarget::GrowthBasisPoints)
                            .big_integer()
                            .not_null()
                            .check(Expr::col(StatisticsTarget::GrowthBasisPoints).gte(0)),
                    )
                    .col(
                        ColumnDef::new(StatisticsTarget::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StatisticsTarget::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StatisticsTarget::Table, StatisticsTarget::DistrictId)
                            .to(District::Table, District::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(TARGET_INDEX)
                    .table(StatisticsTarget::Table)
                    .col(StatisticsTarget::Figure)
                    .col(StatisticsTarget::ScopeKey)
                    .col(StatisticsTarget::Year)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StatisticsTarget::Table.into_iden(),
            StatisticsRollupState::Table.into_iden(),
            StatisticsRollup::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
