//! The write side: API keys with their roles, the audit log of every change, tender amendments
//! and publication dates, the reason a certificate record was rejected or suspended, and one
//! live bid per bidder and tender.

use sea_orm_migration::prelude::*;

use crate::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    Role,
    CompanyId,
    CounterpartId,
    SecretHash,
    Prefix,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    KeyId,
    Role,
    Action,
    ObjectIds,
}

#[derive(DeriveIden)]
enum AuditEventObject {
    Table,
    AuditEventId,
    ObjectId,
}

#[derive(DeriveIden)]
enum TenderAmendment {
    Table,
    Id,
    TenderId,
    AmendedAt,
    ChangedFields,
    Rationale,
}

#[derive(DeriveIden)]
enum Certification {
    Table,
    RejectionReason,
}

#[derive(DeriveIden)]
enum Company {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Counterpart {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tender {
    Table,
    Id,
    PublishedAt,
}

pub(crate) const ROLES: &[&str] = &["admin", "company", "counterpart", "partner"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(
                        ColumnDef::new(ApiKey::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ApiKey::Name).string_len(200).not_null())
                    .col(
                        ColumnDef::new(ApiKey::Role)
                            .string_len(20)
                            .not_null()
                            .check(one_of(ApiKey::Role, ROLES)),
                    )
                    .col(ColumnDef::new(ApiKey::CompanyId).big_integer().null())
                    .col(ColumnDef::new(ApiKey::CounterpartId).big_integer().null())
                    // SHA-256 of the key, hex: a key is 160 random bits, so a fast hash is safe.
                    .col(
                        ColumnDef::new(ApiKey::SecretHash)
                            .char_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(ApiKey::Prefix).string_len(16).not_null())
                    .col(
                        ColumnDef::new(ApiKey::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiKey::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    // A company key names its company, a counterpart key its counterpart, and
                    // no other key names either.
                    .check(
                        Expr::col(ApiKey::Role)
                            .eq("company")
                            .eq(Expr::col(ApiKey::CompanyId).is_not_null()),
                    )
                    .check(
                        Expr::col(ApiKey::Role)
                            .eq("counterpart")
                            .eq(Expr::col(ApiKey::CounterpartId).is_not_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKey::Table, ApiKey::CompanyId)
                            .to(Company::Table, Company::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKey::Table, ApiKey::CounterpartId)
                            .to(Counterpart::Table, Counterpart::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(
                        ColumnDef::new(AuditEvent::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditEvent::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Null when the change was made on the command line, with no key.
                    .col(ColumnDef::new(AuditEvent::KeyId).big_integer().null())
                    .col(
                        ColumnDef::new(AuditEvent::Role)
                            .string_len(20)
                            .not_null()
                            .check(one_of(AuditEvent::Role, ROLES)),
                    )
                    .col(ColumnDef::new(AuditEvent::Action).string_len(60).not_null())
                    // The global IDs of the objects changed, as a JSON array.
                    .col(ColumnDef::new(AuditEvent::ObjectIds).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditEvent::Table, AuditEvent::KeyId)
                            .to(ApiKey::Table, ApiKey::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_audit_event_key", AuditEvent::KeyId),
            ("ix_audit_event_action", AuditEvent::Action),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEvent::Table)
                        .col(col)
                        .col(AuditEvent::Id)
                        .to_owned(),
                )
                .await?;
        }

        // The objects each change touched, one row each: what the audit log is filtered by.
        manager
            .create_table(
                Table::create()
                    .table(AuditEventObject::Table)
                    .col(
                        ColumnDef::new(AuditEventObject::AuditEventId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditEventObject::ObjectId)
                            .string_len(100)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(AuditEventObject::AuditEventId)
                            .col(AuditEventObject::ObjectId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditEventObject::Table, AuditEventObject::AuditEventId)
                            .to(AuditEvent::Table, AuditEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_event_object_object")
                    .table(AuditEventObject::Table)
                    .col(AuditEventObject::ObjectId)
                    .col(AuditEventObject::AuditEventId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenderAmendment::Table)
                    .col(
                        ColumnDef::new(TenderAmendment::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TenderAmendment::TenderId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TenderAmendment::AmendedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // The names of the fields changed, as a JSON array.
                    .col(
                        ColumnDef::new(TenderAmendment::ChangedFields)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenderAmendment::Rationale).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenderAmendment::Table, TenderAmendment::TenderId)
                            .to(Tender::Table, Tender::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tender_amendment_tender")
                    .table(TenderAmendment::Table)
                    .col(TenderAmendment::TenderId)
                    .col(TenderAmendment::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Certification::Table)
                    .add_column(ColumnDef::new(Certification::RejectionReason).text().null())
                    .to_owned(),
            )
            .await?;
        // When the tender was opened for answers; absent while it is planned (and for one
        // cancelled before it opened).
        manager
            .alter_table(
                Table::alter()
                    .table(Tender::Table)
                    .add_column(
                        ColumnDef::new(Tender::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Tenders already open or closed were published when their tender period began.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tender SET published_at = tender_period_start WHERE status <> 'planning'",
            )
            .await?;

        // One live bid per bidder (a company alone, or an alliance through its lead) and tender:
        // a second one is refused by the database even when two requests race.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_bid_live_bidder ON bid \
                 (tender_id, company_id, COALESCE(alliance_id, 0)) \
                 WHERE status <> 'withdrawn'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_bid_live_bidder")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Certification::Table)
                    .drop_column(Certification::RejectionReason)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tender::Table)
                    .drop_column(Tender::PublishedAt)
                    .to_owned(),
            )
            .await?;
        for table in [
            TenderAmendment::Table.into_iden(),
            AuditEventObject::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            ApiKey::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
