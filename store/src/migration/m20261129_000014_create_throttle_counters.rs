use sea_orm_migration::{prelude::*, schema::*};

/// Fixed-window request counters for throttling (sign-in, the client PIN page). The key
/// is a SHA-256 digest: counters name accounts, addresses and links without storing them.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ThrottleCounters::Table)
                    .col(string_len(ThrottleCounters::Bucket, 40))
                    .col(string_len(ThrottleCounters::KeyDigest, 64))
                    .col(timestamp_with_time_zone(ThrottleCounters::WindowStart))
                    .col(integer(ThrottleCounters::Hits))
                    .primary_key(
                        Index::create()
                            .col(ThrottleCounters::Bucket)
                            .col(ThrottleCounters::KeyDigest),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ThrottleCounters::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ThrottleCounters {
    Table,
    Bucket,
    KeyDigest,
    WindowStart,
    Hits,
}
