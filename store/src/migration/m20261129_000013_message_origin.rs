use sea_orm_migration::{prelude::*, schema::*};

/// Ties each message to the setup link or 2-step code it carries, so the Security
/// Verification modal can show the delivery status of the current one.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement. No foreign keys: SQLite cannot add them to
        // an existing table, and a message outlives nothing it points at (rows are never
        // deleted).
        for column in [
            integer_null(Messages::PinLinkId).to_owned(),
            integer_null(Messages::TwoStepCodeId).to_owned(),
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
        for (name, column) in [
            ("idx_messages_pin_link_id", Messages::PinLinkId),
            ("idx_messages_two_step_code_id", Messages::TwoStepCodeId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Messages::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in [
            ("idx_messages_pin_link_id", Messages::PinLinkId),
            ("idx_messages_two_step_code_id", Messages::TwoStepCodeId),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Messages::Table).to_owned())
                .await?;
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
    PinLinkId,
    TwoStepCodeId,
}
