//! Request quotas shared by every server process on PostgreSQL: points used per caller and
//! fixed time window.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimit {
    Table,
    Subject,
    WindowStart,
    Used,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimit::Table)
                    // `key:<id>` or `ip:<address>`.
                    .col(
                        ColumnDef::new(RateLimit::Subject)
                            .string_len(100)
                            .not_null(),
                    )
                    // Seconds since the Unix epoch at which the window began.
                    .col(
                        ColumnDef::new(RateLimit::WindowStart)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(RateLimit::Used).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(RateLimit::Subject)
                            .col(RateLimit::WindowStart),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateLimit::Table).to_owned())
            .await
    }
}
