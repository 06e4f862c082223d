//! Companies, their service lines and yearly figures, their certifications, and alliances.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_reference_data::{District, Park};
use crate::{CERTIFICATION_STANDARDS, SERVICE_LINES, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Company {
    Table,
    Id,
    Uscc,
    NameZh,
    NameEn,
    DistrictId,
    ParkId,
    Headcount,
    FoundedYear,
    Description,
    DescriptionZh,
    Website,
    ContactEmail,
    ContactPhone,
    Leading,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CompanyServiceLine {
    Table,
    CompanyId,
    ServiceLine,
}

#[derive(DeriveIden)]
enum CompanyFigures {
    Table,
    CompanyId,
    Year,
    ContractAmountUsdCents,
    ContractOffshoreUsdCents,
    ExecutedAmountUsdCents,
    ExecutedOffshoreUsdCents,
    Employees,
}

// Variants are column names; some begin with the table's name.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Certification {
    Table,
    Id,
    CompanyId,
    Standard,
    MaturityLevel,
    CertificateNumber,
    CertificationBody,
    AccreditationBody,
    Scope,
    IssueDate,
    ExpiryDate,
    Status,
    Verification,
    VerificationSource,
    VerifiedBy,
    VerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Alliance {
    Table,
    Id,
    NameEn,
    NameZh,
    LeadCompanyId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AllianceMember {
    Table,
    AllianceId,
    CompanyId,
    ShareBasisPoints,
    AcceptedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Company::Table)
                    .col(
                        ColumnDef::new(Company::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Company::Uscc)
                            .char_len(18)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Company::NameZh).string_len(200).not_null())
                    .col(ColumnDef::new(Company::NameEn).string_len(300).not_null())
                    .col(ColumnDef::new(Company::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(Company::ParkId).big_integer().null())
                    .col(
                        ColumnDef::new(Company::Headcount)
                            .integer()
                            .not_null()
                            .check(Expr::col(Company::Headcount).gte(0)),
                    )
                    .col(ColumnDef::new(Company::FoundedYear).integer().not_null())
                    .col(ColumnDef::new(Company::Description).text().not_null())
                    .col(ColumnDef::new(Company::DescriptionZh).text().not_null())
                    .col(ColumnDef::new(Company::Website).string_len(300).null())
                    .col(ColumnDef::new(Company::ContactEmail).string_len(254).null())
                    .col(ColumnDef::new(Company::ContactPhone).string_len(40).null())
                    .col(
                        ColumnDef::new(Company::Leading)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Company::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Company::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Company::Table, Company::DistrictId)
                            .to(District::Table, District::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Company::Table, Company::ParkId)
                            .to(Park::Table, Park::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Keyset pagination sorts by (column, id); each sortable column gets its own index.
        for (name, col) in [
            ("ix_company_name_en", Company::NameEn),
            ("ix_company_headcount", Company::Headcount),
            ("ix_company_founded_year", Company::FoundedYear),
            ("ix_company_district", Company::DistrictId),
            ("ix_company_park", Company::ParkId),
            ("ix_company_leading", Company::Leading),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Company::Table)
                        .col(col)
                        .col(Company::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CompanyServiceLine::Table)
                    .col(
                        ColumnDef::new(CompanyServiceLine::CompanyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CompanyServiceLine::ServiceLine)
                            .string_len(40)
                            .not_null()
                            .check(one_of(CompanyServiceLine::ServiceLine, SERVICE_LINES)),
                    )
                    .primary_key(
                        Index::create()
                            .col(CompanyServiceLine::CompanyId)
                            .col(CompanyServiceLine::ServiceLine),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CompanyServiceLine::Table, CompanyServiceLine::CompanyId)
                            .to(Company::Table, Company::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_company_service_line_line")
                    .table(CompanyServiceLine::Table)
                    .col(CompanyServiceLine::ServiceLine)
                    .col(CompanyServiceLine::CompanyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CompanyFigures::Table)
                    .col(
                        ColumnDef::new(CompanyFigures::CompanyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CompanyFigures::Year).integer().not_null())
                    .col(
                        ColumnDef::new(CompanyFigures::ContractAmountUsdCents)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CompanyFigures::ContractOffshoreUsdCents)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CompanyFigures::ExecutedAmountUsdCents)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CompanyFigures::ExecutedOffshoreUsdCents)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CompanyFigures::Employees)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CompanyFigures::CompanyId)
                            .col(CompanyFigures::Year),
                    )
                    .check(
                        Expr::col(CompanyFigures::ContractOffshoreUsdCents)
                            .lte(Expr::col(CompanyFigures::ContractAmountUsdCents)),
                    )
                    .check(
                        Expr::col(CompanyFigures::ExecutedOffshoreUsdCents)
                            .lte(Expr::col(CompanyFigures::ExecutedAmountUsdCents)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CompanyFigures::Table, CompanyFigures::CompanyId)
                            .to(Company::Table, Company::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_company_figures_year")
                    .table(CompanyFigures::Table)
                    .col(CompanyFigures::Year)
                    .col(CompanyFigures::CompanyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Certification::Table)
                    .col(
                        ColumnDef::new(Certification::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Certification::CompanyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Certification::Standard)
                            .string_len(30)
                            .not_null()
                            .check(one_of(Certification::Standard, CERTIFICATION_STANDARDS)),
                    )
                    .col(
                        ColumnDef::new(Certification::MaturityLevel)
                            .small_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Certification::CertificateNumber)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Certification::CertificationBody)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Certification::AccreditationBody)
                            .string_len(200)
                            .null(),
                    )
                    .col(ColumnDef::new(Certification::Scope).text().not_null())
                    .col(ColumnDef::new(Certification::IssueDate).date().not_null())
                    .col(ColumnDef::new(Certification::ExpiryDate).date().not_null())
                    .col(
                        ColumnDef::new(Certification::Status)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                Certification::Status,
                                &["active", "suspended", "withdrawn"],
                            )),
                    )
                    .col(
                        ColumnDef::new(Certification::Verification)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                Certification::Verification,
                                &["unverified", "verified", "rejected"],
                            )),
                    )
                    .col(
                        ColumnDef::new(Certification::VerificationSource)
                            .string_len(200)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Certification::VerifiedBy)
                            .string_len(200)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Certification::VerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Certification::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .check(
                        Expr::col(Certification::ExpiryDate)
                            .gte(Expr::col(Certification::IssueDate)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certification::Table, Certification::CompanyId)
                            .to(Company::Table, Company::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_certification_company", Certification::CompanyId),
            ("ix_certification_standard", Certification::Standard),
            ("ix_certification_issue_date", Certification::IssueDate),
            ("ix_certification_expiry_date", Certification::ExpiryDate),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Certification::Table)
                        .col(col)
                        .col(Certification::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Alliance::Table)
                    .col(
                        ColumnDef::new(Alliance::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alliance::NameEn).string_len(300).not_null())
                    .col(ColumnDef::new(Alliance::NameZh).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Alliance::LeadCompanyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alliance::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alliance::Table, Alliance::LeadCompanyId)
                            .to(Company::Table, Company::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AllianceMember::Table)
                    .col(
                        ColumnDef::new(AllianceMember::AllianceId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AllianceMember::CompanyId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AllianceMember::ShareBasisPoints)
                            .integer()
                            .not_null()
                            .check(Expr::col(AllianceMember::ShareBasisPoints).between(1, 10_000)),
                    )
                    .col(
                        ColumnDef::new(AllianceMember::AcceptedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(AllianceMember::AllianceId)
                            .col(AllianceMember::CompanyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AllianceMember::Table, AllianceMember::AllianceId)
                            .to(Alliance::Table, Alliance::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AllianceMember::Table, AllianceMember::CompanyId)
                            .to(Company::Table, Company::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_alliance_member_company")
                    .table(AllianceMember::Table)
                    .col(AllianceMember::CompanyId)
                    .col(AllianceMember::AllianceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AllianceMember::Table.into_iden(),
            Alliance::Table.into_iden(),
            Certification::Table.into_iden(),
            CompanyFigures::Table.into_iden(),
            CompanyServiceLine::Table.into_iden(),
            Company::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
