use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys: the audit trail outlives the rows it mentions.
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(integer_null(AuditEvents::StaffUserId))
                    .col(integer_null(AuditEvents::ClientId))
                    .col(integer_null(AuditEvents::ContactId))
                    .col(string(AuditEvents::Action))
                    .col(string(AuditEvents::Outcome))
                    .col(text(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        // The lead card lists a client's events newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_client_id_at")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::ClientId)
                    .col(AuditEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    StaffUserId,
    ClientId,
    ContactId,
    Action,
    Outcome,
    Detail,
}
