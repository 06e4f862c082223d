//! The search outbox: keys of indexed objects whose search document must be refreshed, written
//! in the same transaction as the change itself.

use sea_orm_migration::prelude::*;

use crate::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    DocumentType,
    DocumentId,
    EnqueuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(
                        ColumnDef::new(SearchOutbox::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SearchOutbox::DocumentType)
                            .string_len(20)
                            .not_null()
                            .check(one_of(
                                SearchOutbox::DocumentType,
                                &["company", "tender", "park"],
                            )),
                    )
                    .col(
                        ColumnDef::new(SearchOutbox::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SearchOutbox::EnqueuedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchOutbox::Table).to_owned())
            .await
    }
}
