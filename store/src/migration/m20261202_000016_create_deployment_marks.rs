use sea_orm_migration::{prelude::*, schema::*};

/// Facts about the deployment a database belongs to, written by the server itself: today
/// only `mode`, which becomes `production` the first time a production server opens the
/// database and never goes back, so demo data and the development mailbox can refuse it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeploymentMarks::Table)
                    .col(string_len(DeploymentMarks::Key, 40).primary_key())
                    .col(string_len(DeploymentMarks::Value, 200))
                    .col(timestamp_with_time_zone(DeploymentMarks::RecordedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeploymentMarks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DeploymentMarks {
    Table,
    Key,
    Value,
    RecordedAt,
}
