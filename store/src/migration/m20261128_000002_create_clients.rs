use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000001_create_brands::Brands;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(pk_auto(Clients::Id))
                    .col(integer(Clients::BrandId))
                    .col(string(Clients::BusinessName))
                    .col(string(Clients::LegalName))
                    .col(string(Clients::Stage))
                    .col(string(Clients::Address))
                    .col(integer(Clients::EmployeeCount))
                    .col(timestamp_with_time_zone_null(Clients::LastSyncedAt))
                    .col(timestamp_with_time_zone_null(Clients::BeiaSentAt))
                    .col(timestamp_with_time_zone(Clients::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Clients::Table, Clients::BrandId)
                            .to(Brands::Table, Brands::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The dashboard lists one stage at a time, ordered by name.
        manager
            .create_index(
                Index::create()
                    .name("idx_clients_stage_business_name")
                    .table(Clients::Table)
                    .col(Clients::Stage)
                    .col(Clients::BusinessName)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_clients_brand_id")
                    .table(Clients::Table)
                    .col(Clients::BrandId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Clients::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Clients {
    Table,
    Id,
    BrandId,
    BusinessName,
    LegalName,
    Stage,
    Address,
    EmployeeCount,
    LastSyncedAt,
    BeiaSentAt,
    CreatedAt,
}
