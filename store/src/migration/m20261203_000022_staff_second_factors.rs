use sea_orm_migration::{prelude::*, schema::*};

/// Staff second factors and the state of a sign-in between its steps:
/// - on each account, whether its password was issued by an admin (and so must be
///   changed), and its authenticator app: the TOTP seed sealed with the server's key,
///   when it was confirmed (unconfirmed: set-up under way), and the last time step a code
///   was accepted for, so no code is accepted twice;
/// - its recovery codes, stored as SHA-256 digests (each has 120 random bits) and spent
///   once;
/// - its passkeys (WebAuthn credentials, with the signature counter inside the stored
///   credential), and the WebAuthn ceremonies under way: a challenge sent to a browser and
///   the state needed to check its answer, kept in the database so any server process can
///   check it, and for a few minutes only;
/// - on each session, the step of signing in it is at (`SignInStep`), when it last confirmed a second factor (at sign-in or for an admin
///   action), and the browser and address it was opened from, for the sessions list.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            boolean(StaffUsers::MustChangePassword)
                .default(false)
                .to_owned(),
            text_null(StaffUsers::TotpSecretSealed),
            timestamp_with_time_zone_null(StaffUsers::TotpConfirmedAt),
            big_integer_null(StaffUsers::TotpLastStep),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(StaffUsers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            // Sessions opened before second factors had every step behind them.
            string(Sessions::SignInStep).default("done").to_owned(),
            timestamp_with_time_zone_null(Sessions::FactorConfirmedAt),
            timestamp_with_time_zone_null(Sessions::PasswordConfirmedAt),
            string(Sessions::UserAgent).default("").to_owned(),
            string(Sessions::Address).default("").to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(StaffRecoveryCodes::Table)
                    .col(pk_auto(StaffRecoveryCodes::Id))
                    .col(integer(StaffRecoveryCodes::StaffUserId))
                    .col(string(StaffRecoveryCodes::CodeDigest).unique_key())
                    .col(timestamp_with_time_zone(StaffRecoveryCodes::CreatedAt))
                    .col(timestamp_with_time_zone_null(StaffRecoveryCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffRecoveryCodes::Table, StaffRecoveryCodes::StaffUserId)
                            .to(StaffUsers::Table, StaffUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_staff_recovery_codes_staff_user_id")
                    .table(StaffRecoveryCodes::Table)
                    .col(StaffRecoveryCodes::StaffUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffPasskeys::Table)
                    .col(pk_auto(StaffPasskeys::Id))
                    .col(integer(StaffPasskeys::StaffUserId))
                    .col(string(StaffPasskeys::CredentialId).unique_key())
                    .col(string(StaffPasskeys::Name))
                    .col(text(StaffPasskeys::Passkey))
                    .col(timestamp_with_time_zone(StaffPasskeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(StaffPasskeys::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffPasskeys::Table, StaffPasskeys::StaffUserId)
                            .to(StaffUsers::Table, StaffUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_staff_passkeys_staff_user_id")
                    .table(StaffPasskeys::Table)
                    .col(StaffPasskeys::StaffUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebauthnCeremonies::Table)
                    .col(string(WebauthnCeremonies::IdDigest).primary_key())
                    .col(integer_null(WebauthnCeremonies::StaffUserId))
                    .col(string(WebauthnCeremonies::Kind))
                    .col(text(WebauthnCeremonies::State))
                    .col(timestamp_with_time_zone(WebauthnCeremonies::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebauthnCeremonies::Table, WebauthnCeremonies::StaffUserId)
                            .to(StaffUsers::Table, StaffUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Ceremonies never answered are cleared by their expiry as new ones begin.
        manager
            .create_index(
                Index::create()
                    .name("idx_webauthn_ceremonies_expires_at")
                    .table(WebauthnCeremonies::Table)
                    .col(WebauthnCeremonies::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebauthnCeremonies::Table.into_iden(),
            StaffPasskeys::Table.into_iden(),
            StaffRecoveryCodes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            Sessions::Address,
            Sessions::UserAgent,
            Sessions::PasswordConfirmedAt,
            Sessions::FactorConfirmedAt,
            Sessions::SignInStep,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            StaffUsers::TotpLastStep,
            StaffUsers::TotpConfirmedAt,
            StaffUsers::TotpSecretSealed,
            StaffUsers::MustChangePassword,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(StaffUsers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StaffUsers {
    Table,
    Id,
    MustChangePassword,
    TotpSecretSealed,
    TotpConfirmedAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SignInStep,
    FactorConfirmedAt,
    PasswordConfirmedAt,
    UserAgent,
    Address,
}

#[derive(DeriveIden)]
enum StaffRecoveryCodes {
    Table,
    Id,
    StaffUserId,
    CodeDigest,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum StaffPasskeys {
    Table,
    Id,
    StaffUserId,
    CredentialId,
    Name,
    Passkey,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum WebauthnCeremonies {
    Table,
    IdDigest,
    StaffUserId,
    Kind,
    State,
    ExpiresAt,
}
