use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000002_create_clients::Clients;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClientPins::Table)
                    // One row per client, created on its first PIN action.
                    .col(integer(ClientPins::ClientId).primary_key())
                    // argon2id PHC string with a pepper; NULL while there is no usable PIN.
                    .col(text_null(ClientPins::PinHash))
                    .col(timestamp_with_time_zone_null(ClientPins::PinSetAt))
                    .col(timestamp_with_time_zone_null(ClientPins::ResetStartedAt))
                    // Counts a check as soon as it starts, so concurrent guesses cannot
                    // slip past the lockout (see `verify_pin`).
                    .col(integer(ClientPins::ConsecutiveFailures).default(0))
                    .col(timestamp_with_time_zone_null(ClientPins::LockedUntil))
                    .col(timestamp_with_time_zone(ClientPins::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientPins::Table, ClientPins::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ClientPins::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ClientPins {
    Table,
    ClientId,
    PinHash,
    PinSetAt,
    ResetStartedAt,
    ConsecutiveFailures,
    LockedUntil,
    UpdatedAt,
}
