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
                    .table(TwoStepCodes::Table)
                    .col(pk_auto(TwoStepCodes::Id))
                    .col(integer(TwoStepCodes::ClientId))
                    .col(integer(TwoStepCodes::ContactId))
                    .col(integer(TwoStepCodes::StaffUserId))
                    // argon2id PHC string with a pepper, like PINs.
                    .col(text(TwoStepCodes::CodeHash))
                    .col(timestamp_with_time_zone(TwoStepCodes::SentAt))
                    .col(timestamp_with_time_zone(TwoStepCodes::ExpiresAt))
                    .col(integer(TwoStepCodes::ChecksUsed).default(0))
                    .col(timestamp_with_time_zone_null(TwoStepCodes::UsedAt))
                    .col(timestamp_with_time_zone_null(TwoStepCodes::VoidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TwoStepCodes::Table, TwoStepCodes::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TwoStepCodes::Table, TwoStepCodes::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_two_step_codes_client_id")
                    .table(TwoStepCodes::Table)
                    .col(TwoStepCodes::ClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_two_step_codes_contact_id_sent_at")
                    .table(TwoStepCodes::Table)
                    .col(TwoStepCodes::ContactId)
                    .col(TwoStepCodes::SentAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TwoStepCodes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TwoStepCodes {
    Table,
    Id,
    ClientId,
    ContactId,
    StaffUserId,
    CodeHash,
    SentAt,
    ExpiresAt,
    ChecksUsed,
    UsedAt,
    VoidedAt,
}
