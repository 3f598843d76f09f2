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
                    .table(Verifications::Table)
                    .col(pk_auto(Verifications::Id))
                    .col(integer(Verifications::ClientId))
                    .col(integer(Verifications::StaffUserId))
                    .col(string(Verifications::Method))
                    .col(integer_null(Verifications::ContactId))
                    .col(timestamp_with_time_zone(Verifications::VerifiedAt))
                    .col(timestamp_with_time_zone(Verifications::Until))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Verifications::Table, Verifications::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_verifications_client_id_until")
                    .table(Verifications::Table)
                    .col(Verifications::ClientId)
                    .col(Verifications::Until)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Verifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Verifications {
    Table,
    Id,
    ClientId,
    StaffUserId,
    Method,
    ContactId,
    VerifiedAt,
    Until,
}
