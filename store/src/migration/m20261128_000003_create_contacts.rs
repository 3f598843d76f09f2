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
                    .table(Contacts::Table)
                    .col(pk_auto(Contacts::Id))
                    .col(integer(Contacts::ClientId))
                    .col(string(Contacts::Name))
                    .col(string(Contacts::Role))
                    .col(string(Contacts::Email))
                    .col(string_null(Contacts::MobilePhone))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contacts::Table, Contacts::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contacts_client_id_role")
                    .table(Contacts::Table)
                    .col(Contacts::ClientId)
                    .col(Contacts::Role)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Contacts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Contacts {
    Table,
    Id,
    ClientId,
    Name,
    Role,
    Email,
    MobilePhone,
}
