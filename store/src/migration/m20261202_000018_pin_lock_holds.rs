use sea_orm_migration::{prelude::*, schema::*};

/// When lock windows came too often, PIN checks are held locked from this time until a
/// 2-step code succeeds or an admin unlocks them; NULL while they are not.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ClientPins::Table)
                    .add_column(timestamp_with_time_zone_null(ClientPins::HeldSince))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ClientPins::Table)
                    .drop_column(ClientPins::HeldSince)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ClientPins {
    Table,
    HeldSince,
}
