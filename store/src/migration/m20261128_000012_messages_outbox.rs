use sea_orm_migration::{prelude::*, schema::*};

/// Turns `messages` into a transactional outbox: each row waits in `queued` until a
/// delivery worker claims it (a lease in `claimed_until`, so a crashed worker's rows come
/// back), and ends `sent`, `failed` (permanent error or out of attempts) or `expired`
/// (a code or link that was not delivered in time is never delivered late).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            integer(Messages::Attempts).default(0).to_owned(),
            timestamp_with_time_zone_null(Messages::NextAttemptAt).to_owned(),
            timestamp_with_time_zone_null(Messages::ClaimedUntil).to_owned(),
            timestamp_with_time_zone_null(Messages::DeliverBy).to_owned(),
            timestamp_with_time_zone_null(Messages::SentAt).to_owned(),
            text_null(Messages::LastError).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_status_next_attempt_at")
                    .table(Messages::Table)
                    .col(Messages::Status)
                    .col(Messages::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_status_next_attempt_at")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Messages::Attempts,
            Messages::NextAttemptAt,
            Messages::ClaimedUntil,
            Messages::DeliverBy,
            Messages::SentAt,
            Messages::LastError,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    DeliverBy,
    SentAt,
    LastError,
}
