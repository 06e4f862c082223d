//! The commonest list a partner site shows: one district's companies in name order, often
//! narrowed to a service line. With this index the database walks the district's companies in
//! that order and stops at the page's end, instead of sorting the whole district for each page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Company {
    Table,
    DistrictId,
    NameEn,
    Id,
}

const NAME: &str = "ix_company_district_name";

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
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Company::Table).to_owned())
            .await
    }
}
