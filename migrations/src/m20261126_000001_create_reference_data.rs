//! Reference data (districts, Shanghai FTZ areas) and demonstration parks.

use sea_orm_migration::prelude::*;

use crate::{SERVICE_LINES, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum District {
    Table,
    Id,
    Code,
    NameEn,
    NameZh,
}

#[derive(DeriveIden)]
pub(crate) enum FtzArea {
    Table,
    Id,
    Code,
    NameEn,
    NameZh,
}

#[derive(DeriveIden)]
pub(crate) enum Park {
    Table,
    Id,
    NameEn,
    NameZh,
    Level,
    DistrictId,
    Description,
    PreferentialPolicies,
    Website,
    EstablishedYear,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ParkFocusIndustry {
    Table,
    ParkId,
    ServiceLine,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(District::Table)
                    .col(
                        ColumnDef::new(District::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(District::Code)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(District::NameEn).string_len(64).not_null())
                    .col(ColumnDef::new(District::NameZh).string_len(32).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FtzArea::Table)
                    .col(
                        ColumnDef::new(FtzArea::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(FtzArea::Code)
                            .string_len(48)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(FtzArea::NameEn).string_len(128).not_null())
                    .col(ColumnDef::new(FtzArea::NameZh).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Park::Table)
                    .col(
                        ColumnDef::new(Park::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Park::NameEn).string_len(200).not_null())
                    .col(ColumnDef::new(Park::NameZh).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Park::Level)
                            .string_len(40)
                            .not_null()
                            .check(one_of(
                                Park::Level,
                                &[
                                    "national_demonstration_city",
                                    "provincial_demonstration_park",
                                    "other",
                                ],
                            )),
                    )
                    .col(ColumnDef::new(Park::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(Park::Description).text().not_null())
                    .col(ColumnDef::new(Park::PreferentialPolicies).text().not_null())
                    .col(ColumnDef::new(Park::Website).string_len(300).null())
                    .col(ColumnDef::new(Park::EstablishedYear).integer().null())
                    .col(
                        ColumnDef::new(Park::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Park::Table, Park::DistrictId)
                            .to(District::Table, District::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_park_district")
                    .table(Park::Table)
                    .col(Park::DistrictId)
                    .col(Park::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_park_level")
                    .table(Park::Table)
                    .col(Park::Level)
                    .col(Park::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ParkFocusIndustry::Table)
                    .col(
                        ColumnDef::new(ParkFocusIndustry::ParkId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParkFocusIndustry::ServiceLine)
                            .string_len(40)
                            .not_null()
                            .check(one_of(ParkFocusIndustry::ServiceLine, SERVICE_LINES)),
                    )
                    .primary_key(
                        Index::create()
                            .col(ParkFocusIndustry::ParkId)
                            .col(ParkFocusIndustry::ServiceLine),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ParkFocusIndustry::Table, ParkFocusIndustry::ParkId)
                            .to(Park::Table, Park::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ParkFocusIndustry::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Park::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FtzArea::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(District::Table).to_owned())
            .await
    }
}
