use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000002_create_clients::Clients;
use super::m20261128_000003_create_contacts::Contacts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PinLinks::Table)
                    .col(pk_auto(PinLinks::Id))
                    .col(integer(PinLinks::ClientId))
                    .col(integer(PinLinks::ContactId))
                    .col(integer(PinLinks::StaffUserId))
                    .col(string(PinLinks::Purpose))
                    // SHA-256 of the token in the link, hex; the token itself is never stored.
                    .col(string(PinLinks::TokenHash))
                    .col(timestamp_with_time_zone(PinLinks::SentAt))
                    .col(timestamp_with_time_zone(PinLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PinLinks::UsedAt))
                    .col(timestamp_with_time_zone_null(PinLinks::CancelledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PinLinks::Table, PinLinks::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PinLinks::Table, PinLinks::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pin_links_token_hash")
                    .table(PinLinks::Table)
                    .col(PinLinks::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pin_links_client_id")
                    .table(PinLinks::Table)
                    .col(PinLinks::ClientId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PinLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PinLinks {
    Table,
    Id,
    ClientId,
    ContactId,
    StaffUserId,
    Purpose,
    TokenHash,
    SentAt,
    ExpiresAt,
    UsedAt,
    CancelledAt,
}
