use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Brands::Table)
                    .col(pk_auto(Brands::Id))
                    .col(string_uniq(Brands::Slug))
                    .col(string(Brands::Name))
                    .col(string(Brands::Color))
                    .col(string(Brands::SupportPhone))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Brands::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Brands {
    Table,
    Id,
    Slug,
    Name,
    Color,
    SupportPhone,
}
