use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000002_create_clients::Clients;
use super::m20261128_000003_create_contacts::Contacts;

/// *Prove it's us*: each time staff sent a contact the words they then read aloud, for the
/// send limit and the modal's status. The words themselves are not kept: they live in the
/// sealed bodies of the messages that carried them, and are spent with the call.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CallerProofs::Table)
                    .col(pk_auto(CallerProofs::Id))
                    .col(integer(CallerProofs::ClientId))
                    .col(integer(CallerProofs::ContactId))
                    .col(integer(CallerProofs::StaffUserId))
                    .col(timestamp_with_time_zone(CallerProofs::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CallerProofs::Table, CallerProofs::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CallerProofs::Table, CallerProofs::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_caller_proofs_contact_id_sent_at")
                    .table(CallerProofs::Table)
                    .col(CallerProofs::ContactId)
                    .col(CallerProofs::SentAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CallerProofs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CallerProofs {
    Table,
    Id,
    ClientId,
    ContactId,
    StaffUserId,
    SentAt,
}
