use sea_orm_migration::{prelude::*, schema::*};

/// When each of a contact's destinations last became new (an added contact, a changed email
/// or mobile), so links and codes to it wait out the cooling-off period; and an admin's
/// approval to send to it sooner, by whom and when (the reason is in the audit trail). An
/// approval counts only for destinations that changed before it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            timestamp_with_time_zone_null(Contacts::EmailChangedAt),
            timestamp_with_time_zone_null(Contacts::MobileChangedAt),
            timestamp_with_time_zone_null(Contacts::CoolingOffApprovedAt),
            integer_null(Contacts::CoolingOffApprovedBy),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Contacts::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Contacts::CoolingOffApprovedBy,
            Contacts::CoolingOffApprovedAt,
            Contacts::MobileChangedAt,
            Contacts::EmailChangedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Contacts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    EmailChangedAt,
    MobileChangedAt,
    CoolingOffApprovedAt,
    CoolingOffApprovedBy,
}
