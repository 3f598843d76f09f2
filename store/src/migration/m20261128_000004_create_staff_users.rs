use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StaffUsers::Table)
                    .col(pk_auto(StaffUsers::Id))
                    .col(string(StaffUsers::Name))
                    // Stored lower-cased, so uniqueness is case-insensitive on every backend.
                    .col(string_uniq(StaffUsers::Email))
                    .col(string(StaffUsers::PasswordHash))
                    .col(string(StaffUsers::Role))
                    .col(boolean(StaffUsers::Active))
                    .col(timestamp_with_time_zone(StaffUsers::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StaffUsers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum StaffUsers {
    Table,
    Id,
    Name,
    Email,
    PasswordHash,
    Role,
    Active,
    CreatedAt,
}
