//! Counterparts (buyers), tenders shaped after OCDS 1.1, and the answers (bids) they receive.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_reference_data::FtzArea;
use crate::m20261126_000002_create_companies::{Alliance, Company};
use crate::{CERTIFICATION_STANDARDS, SERVICE_LINES, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Counterpart {
    Table,
    Id,
    NameEn,
    NameZh,
    Kind,
    FtzAreaId,
    City,
    Uscc,
    Description,
    Website,
    CreatedAt,
}

// Variants are column names; some begin with the table's name.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Tender {
    Table,
    Id,
    Ocid,
    TitleEn,
    TitleZh,
    DescriptionEn,
    DescriptionZh,
    CounterpartId,
    Status,
    ValueAmountMinor,
    ValueCurrency,
    TenderPeriodStart,
    TenderPeriodEnd,
    MinEmployees,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TenderServiceLine {
    Table,
    TenderId,
    ServiceLine,
}

#[derive(DeriveIden)]
enum TenderRequiredCertification {
    Table,
    TenderId,
    Standard,
}

#[derive(DeriveIden)]
enum Bid {
    Table,
    Id,
    TenderId,
    CompanyId,
    AllianceId,
    Kind,
    AmountMinor,
    Currency,
    Proposal,
    Status,
    SubmittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Counterpart::Table)
                    .col(
                        ColumnDef::new(Counterpart::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Counterpart::NameEn)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Counterpart::NameZh)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Counterpart::Kind)
                            .string_len(30)
                            .not_null()
                            .check(one_of(
                                Counterpart::Kind,
                                &[
                                    "ftz_enterprise",
                                    "domestic_enterprise",
                                    "foreign_enterprise",
                                    "public_body",
                                ],
                            )),
                    )
                    .col(ColumnDef::new(Counterpart::FtzAreaId).big_integer().null())
                    .col(ColumnDef::new(Counterpart::City).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Counterpart::Uscc)
                            .char_len(18)
                            .null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Counterpart::Description).text().not_null())
                    .col(ColumnDef::new(Counterpart::Website).string_len(300).null())
                    .col(
                        ColumnDef::new(Counterpart::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Counterpart::Table, Counterpart::FtzAreaId)
                            .to(FtzArea::Table, FtzArea::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tender::Table)
                    .col(
                        ColumnDef::new(Tender::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Tender::Ocid)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Tender::TitleEn).string_len(300).not_null())
                    .col(ColumnDef::new(Tender::TitleZh).string_len(200).not_null())
                    .col(ColumnDef::new(Tender::DescriptionEn).text().not_null())
                    .col(ColumnDef::new(Tender::DescriptionZh).text().not_null())
                    .col(
                        ColumnDef::new(Tender::CounterpartId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Tender::Status)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                Tender::Status,
                                &[
                                    "planning",
                                    "active",
                                    "cancelled",
                                    "unsuccessful",
                                    "complete",
                                ],
                            )),
                    )
                    .col(
                        ColumnDef::new(Tender::ValueAmountMinor)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Tender::ValueCurrency).char_len(3).null())
                    .col(
                        ColumnDef::new(Tender::TenderPeriodStart)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Tender::TenderPeriodEnd)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Tender::MinEmployees).integer().null())
                    .col(
                        ColumnDef::new(Tender::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Tender::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // A value is an amount together with its currency, or neither.
                    .check(
                        Expr::col(Tender::ValueAmountMinor)
                            .is_null()
                            .eq(Expr::col(Tender::ValueCurrency).is_null()),
                    )
                    .check(
                        Expr::col(Tender::TenderPeriodEnd)
                            .gte(Expr::col(Tender::TenderPeriodStart)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tender::Table, Tender::CounterpartId)
                            .to(Counterpart::Table, Counterpart::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_tender_status", Tender::Status),
            ("ix_tender_counterpart", Tender::CounterpartId),
            ("ix_tender_period_end", Tender::TenderPeriodEnd),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Tender::Table)
                        .col(col)
                        .col(Tender::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TenderServiceLine::Table)
                    .col(
                        ColumnDef::new(TenderServiceLine::TenderId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TenderServiceLine::ServiceLine)
                            .string_len(40)
                            .not_null()
                            .check(one_of(TenderServiceLine::ServiceLine, SERVICE_LINES)),
                    )
                    .primary_key(
                        Index::create()
                            .col(TenderServiceLine::TenderId)
                            .col(TenderServiceLine::ServiceLine),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenderServiceLine::Table, TenderServiceLine::TenderId)
                            .to(Tender::Table, Tender::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tender_service_line_line")
                    .table(TenderServiceLine::Table)
                    .col(TenderServiceLine::ServiceLine)
                    .col(TenderServiceLine::TenderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenderRequiredCertification::Table)
                    .col(
                        ColumnDef::new(TenderRequiredCertification::TenderId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TenderRequiredCertification::Standard)
                            .string_len(30)
                            .not_null()
                            .check(one_of(
                                TenderRequiredCertification::Standard,
                                CERTIFICATION_STANDARDS,
                            )),
                    )
                    .primary_key(
                        Index::create()
                            .col(TenderRequiredCertification::TenderId)
                            .col(TenderRequiredCertification::Standard),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                TenderRequiredCertification::Table,
                                TenderRequiredCertification::TenderId,
                            )
                            .to(Tender::Table, Tender::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Bid::Table)
                    .col(
                        ColumnDef::new(Bid::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Bid::TenderId).big_integer().not_null())
                    .col(ColumnDef::new(Bid::CompanyId).big_integer().not_null())
                    .col(ColumnDef::new(Bid::AllianceId).big_integer().null())
                    .col(
                        ColumnDef::new(Bid::Kind)
                            .string_len(30)
                            .not_null()
                            .check(one_of(Bid::Kind, &["bid", "expression_of_interest"])),
                    )
                    .col(ColumnDef::new(Bid::AmountMinor).big_integer().null())
                    .col(ColumnDef::new(Bid::Currency).char_len(3).null())
                    .col(ColumnDef::new(Bid::Proposal).text().not_null())
                    .col(
                        ColumnDef::new(Bid::Status)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                Bid::Status,
                                &["submitted", "withdrawn", "awarded", "not_awarded"],
                            )),
                    )
                    .col(
                        ColumnDef::new(Bid::SubmittedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .check(
                        Expr::col(Bid::AmountMinor)
                            .is_null()
                            .eq(Expr::col(Bid::Currency).is_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bid::Table, Bid::TenderId)
                            .to(Tender::Table, Tender::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bid::Table, Bid::CompanyId)
                            .to(Company::Table, Company::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bid::Table, Bid::AllianceId)
                            .to(Alliance::Table, Alliance::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bid_tender")
                    .table(Bid::Table)
                    .col(Bid::TenderId)
                    .col(Bid::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bid_company")
                    .table(Bid::Table)
                    .col(Bid::CompanyId)
                    .col(Bid::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Bid::Table.into_iden(),
            TenderRequiredCertification::Table.into_iden(),
            TenderServiceLine::Table.into_iden(),
            Tender::Table.into_iden(),
            Counterpart::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
