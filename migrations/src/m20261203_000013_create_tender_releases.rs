//! The published history of tenders: one immutable release per change a buyer makes, in the
//! order the changes committed.
//!
//! `tender_release` holds each release: `seq`, its place in the order of commits across all
//! tenders; `number`, its place in its tender's history (1, 2, ...); the change it records;
//! when; the year of that instant (UTC), for the yearly files; and what the tender was after
//! the change, as JSON. `tender_release_clock` is one row, `(1, last_seq, last_released_at)`:
//! a write takes the next `seq` and an instant no earlier than the last under that row's lock,
//! which it holds until it commits, so `seq` order is commit order and instants never go back,
//! on PostgreSQL as on SQLite. The releases of tenders posted before this table existed are
//! written at the first start after it, from their state then.

use sea_orm_migration::prelude::*;

use crate::one_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenderRelease {
    Table,
    Seq,
    TenderId,
    Number,
    Change,
    ReleasedAt,
    Year,
    Snapshot,
}

#[derive(DeriveIden)]
enum TenderReleaseClock {
    Table,
    Id,
    LastSeq,
    LastReleasedAt,
}

#[derive(DeriveIden)]
enum Tender {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenderRelease::Table)
                    .col(
                        ColumnDef::new(TenderRelease::Seq)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TenderRelease::TenderId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenderRelease::Number).integer().not_null())
                    .col(
                        ColumnDef::new(TenderRelease::Change)
                            .string_len(30)
                            .not_null()
                            .check(one_of(
                                TenderRelease::Change,
                                &[
                                    "created",
                                    "planning_updated",
                                    "published",
                                    "amended",
                                    "cancelled",
                                    "closed_unsuccessful",
                                    "awarded",
                                ],
                            )),
                    )
                    .col(
                        ColumnDef::new(TenderRelease::ReleasedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenderRelease::Year).integer().not_null())
                    .col(ColumnDef::new(TenderRelease::Snapshot).text().not_null())
                    .check(Expr::col(TenderRelease::Number).gte(1))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenderRelease::Table, TenderRelease::TenderId)
                            .to(Tender::Table, Tender::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tender_release_tender_number")
                    .table(TenderRelease::Table)
                    .col(TenderRelease::TenderId)
                    .col(TenderRelease::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_tender_release_released_at",
                [TenderRelease::ReleasedAt, TenderRelease::Seq],
            ),
            (
                "ix_tender_release_year",
                [TenderRelease::Year, TenderRelease::Seq],
            ),
            (
                "ix_tender_release_number_year",
                [TenderRelease::Number, TenderRelease::Year],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(TenderRelease::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(TenderReleaseClock::Table)
                    .col(
                        ColumnDef::new(TenderReleaseClock::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TenderReleaseClock::LastSeq)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TenderReleaseClock::LastReleasedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .check(Expr::col(TenderReleaseClock::Id).eq(1))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(TenderReleaseClock::Table)
                    .columns([TenderReleaseClock::Id, TenderReleaseClock::LastSeq])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TenderReleaseClock::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TenderRelease::Table).to_owned())
            .await
    }
}
