//! One district's companies in name order narrowed to a service line, from the index alone.
//! The list finds a page's companies by the filter and the order first, then reads their rows
//! by id; with the service-line mask in the district-and-name index, the walk past the
//! companies of other lines reads no company's row (on PostgreSQL an index-only scan, on
//! SQLite a covering index). It replaces the index of migration 7, of which it is an extension.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Company {
    Table,
    DistrictId,
    NameEn,
    Id,
    ServiceLineMask,
}

const NAME: &str = "ix_company_district_name_lines";
const REPLACED: &str = "ix_company_district_name";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Company::Table)
                    .col(Company::DistrictId)
                    .col(Company::NameEn)
                    .col(Company::Id)
                    .col(Company::ServiceLineMask)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(REPLACED)
                    .table(Company::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(REPLACED)
                    .table(Company::Table)
                    .col(Company::DistrictId)
                    .col(Company::NameEn)
                    .col(Company::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(NAME).table(Company::Table).to_owned())
            .await
    }
}
