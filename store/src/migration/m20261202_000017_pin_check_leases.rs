use sea_orm_migration::{prelude::*, schema::*};

/// PIN checks that are running (their hash being compared) are counted apart from the
/// misses, under a lease: a check whose request went away mid-hash never resolves, and
/// once no check has started for the lease's length, the ones still counted are known to
/// be abandoned and are released (see `verify_pin`).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(ClientPins::Table)
                    .add_column(integer(ClientPins::ChecksInFlight).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ClientPins::Table)
                    .add_column(timestamp_with_time_zone_null(
                        ClientPins::ChecksReservedUntil,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ClientPins::ChecksReservedUntil, ClientPins::ChecksInFlight] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ClientPins::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ClientPins {
    Table,
    ChecksInFlight,
    ChecksReservedUntil,
}
