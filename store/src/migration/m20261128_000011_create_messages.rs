use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(pk_auto(Messages::Id))
                    .col(integer_null(Messages::ClientId))
                    .col(integer_null(Messages::ContactId))
                    .col(string(Messages::Kind))
                    .col(string(Messages::Channel))
                    .col(string(Messages::Recipient))
                    .col(string(Messages::Subject))
                    .col(text(Messages::TextBody))
                    .col(text_null(Messages::HtmlBody))
                    .col(string(Messages::Status))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_created_at")
                    .table(Messages::Table)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Messages::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ClientId,
    ContactId,
    Kind,
    Channel,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    CreatedAt,
}
