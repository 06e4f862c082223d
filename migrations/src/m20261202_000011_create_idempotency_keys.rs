//! Idempotency keys of mutations sent with an `Idempotency-Key` header, shared by every server:
//! one row per API key and key value, claimed by the first attempt, marked `committed` inside
//! the mutation's own write transaction, and holding the first answer once it is built, so a
//! retry replays it instead of writing again. Rows are kept for a day, then deleted.

use sea_orm_migration::prelude::*;

use crate::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    ApiKeyId,
    Key,
    Fingerprint,
    State,
    Attempt,
    CreatedAt,
    LeaseExpiresAt,
    Status,
    ContentType,
    Body,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
}

const CREATED_INDEX: &str = "ix_idempotency_key_created_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    // The API key whose requests the key value belongs to: its scope.
                    .col(
                        ColumnDef::new(IdempotencyKey::ApiKeyId)
                            .big_integer()
                            .not_null(),
                    )
                    // The header's value: 1 to 255 visible ASCII characters.
                    .col(
                        ColumnDef::new(IdempotencyKey::Key)
                            .string_len(255)
                            .not_null(),
                    )
                    // SHA-256 (hex) of the request: its query, operation name and variables.
                    // (Not CHAR: PostgreSQL would pad a shorter value, and it would no longer
                    // equal itself.)
                    .col(
                        ColumnDef::new(IdempotencyKey::Fingerprint)
                            .string_len(64)
                            .not_null(),
                    )
                    // `running` (claimed), `committed` (its write is in, the answer not yet
                    // stored), `done` (the answer is stored).
                    .col(
                        ColumnDef::new(IdempotencyKey::State)
                            .string_len(10)
                            .not_null()
                            .check(one_of(
                                IdempotencyKey::State,
                                &["running", "committed", "done"],
                            )),
                    )
                    // Which attempt holds the claim: a random token, replaced on a takeover.
                    .col(
                        ColumnDef::new(IdempotencyKey::Attempt)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKey::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Until when the attempt holding the claim may still be running.
                    .col(
                        ColumnDef::new(IdempotencyKey::LeaseExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // The first answer: HTTP status, media type and body, once `done`.
                    .col(ColumnDef::new(IdempotencyKey::Status).integer().null())
                    .col(
                        ColumnDef::new(IdempotencyKey::ContentType)
                            .string_len(100)
                            .null(),
                    )
                    .col(ColumnDef::new(IdempotencyKey::Body).text().null())
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::ApiKeyId)
                            .col(IdempotencyKey::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKey::Table, IdempotencyKey::ApiKeyId)
                            .to(ApiKey::Table, ApiKey::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The expired rows, oldest first, for their deletion.
        manager
            .create_index(
                Index::create()
                    .name(CREATED_INDEX)
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}
