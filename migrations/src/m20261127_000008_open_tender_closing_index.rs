//! The tender list a partner site and a company show first: the open tenders, closing soonest
//! first. With this partial index the database walks the open tenders in closing order and stops
//! at the page's end, instead of walking every tender by closing date and discarding the closed
//! ones, which are most of the earliest-closing (4 ms against 0.13 ms for a page of 50 among
//! 10,000 tenders on PostgreSQL). A (status, closing date) index would serve too, but the planner
//! does not see that the closed tenders come first and keeps to the closing-date index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)]
enum Tender {
    Table,
    Status,
    TenderPeriodEnd,
    Id,
}

const NAME: &str = "ix_tender_active_period_end";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Tender::Table)
                    .col(Tender::TenderPeriodEnd)
                    .col(Tender::Id)
                    .and_where(Expr::col(Tender::Status).eq("active"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Tender::Table).to_owned())
            .await
    }
}
