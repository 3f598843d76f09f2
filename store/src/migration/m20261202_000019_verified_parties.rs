use sea_orm_migration::{prelude::*, schema::*};

/// A verification proves one person: it keeps the role its contact held when checked
/// (what the authority table judges), and, when trust changed before its hour was up (a
/// PIN reset, a change to the contact, an admin), why and by whom it was ended. An ended
/// verification's `until` is the moment it ended, so every "still verified?" question
/// stays `until > now`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            string_null(Verifications::ContactRole),
            string_null(Verifications::EndReason),
            integer_null(Verifications::EndedBy),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Verifications::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Verifications::EndedBy,
            Verifications::EndReason,
            Verifications::ContactRole,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Verifications::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Verifications {
    Table,
    ContactRole,
    EndReason,
    EndedBy,
}
