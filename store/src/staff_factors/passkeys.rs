//! Passkeys and security keys through WebAuthn (webauthn-rs): registering one, using one
//! as the second factor or for step-up, and signing in with one alone (it proves
//! possession and, with user verification required, a PIN or biometric: two factors).
//!
//! A ceremony's state (its challenge) is kept in the database, not in memory, so the
//! browser may finish it on any server process; it is single use and lasts five minutes.
//! The signature counter webauthn-rs checks is stored back after each use, with an update
//! that succeeds only if the stored credential did not change meanwhile. For an
//! authenticator that counts, a cloned one racing the real one cannot both pass; synced
//! passkeys report a counter of 0, which proves nothing either way.

use chrono::{DateTime, Duration, Utc};
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::StaffId;
use janus_domain::staff::second_factor::{PasskeyChallenge, PasskeyView, SignInStep, passkey_name};
use janus_domain::throttle::ThrottleBucket;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::audit::{self, Entry};
use crate::auth::{Browser, SessionToken, StaffSession};
use crate::entity::{staff_passkey, webauthn_ceremony};
use crate::tokens::{random_token, token_digest};
use crate::{OrInternal, Store, internal};

/// How long a browser has to answer a ceremony.
const CEREMONY_MINUTES: i64 = 5;

/// What a ceremony is for, as its row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceremony {
    Register,
    Authenticate,
    Discover,
}

impl Ceremony {
    fn kind(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Authenticate => "authenticate",
            Self::Discover => "discover",
        }
    }
}

/// The WebAuthn user handle of a staff account: stable, derived from its id (it is not a
/// secret; it tells a discoverable passkey's answer which account it is for).
fn user_handle(staff: StaffId) -> Uuid {
    Uuid::from_u64_pair(0x4a41_4e55_535f_5354, u64::from(staff.0.unsigned_abs()))
}

fn refused_passkey() -> AppError {
    AppError::invalid(
        "passkey",
        "that passkey was not accepted: try again, or use your authenticator app",
    )
}

impl Store {
    /// The relying party: this site, named by its public address. Browsers refuse
    /// passkeys for a bare IP address, so a development site on a loopback address (the
    /// README's `http://127.0.0.1:3000`) offers them under `localhost` at the same port,
    /// and its pages work for passkeys when opened there.
    fn webauthn(&self) -> Result<Webauthn, AppError> {
        let mut origin = Url::parse(&self.settings.site.public_url).map_err(internal)?;
        let host = origin
            .host()
            .ok_or_else(|| internal("the public URL names no host"))?
            .to_owned();
        let loopback = match &host {
            url::Host::Ipv4(ip) => Some(ip.is_loopback()),
            url::Host::Ipv6(ip) => Some(ip.is_loopback()),
            url::Host::Domain(_) => None,
        };
        match loopback {
            None => {}
            Some(true) if self.settings.site.mode == janus_domain::settings::Mode::Development => {
                origin.set_host(Some("localhost")).map_err(internal)?;
            }
            Some(_) => {
                return Err(AppError::Forbidden(
                    "Passkeys need the site to have a host name (site.public_url names an IP address): use an authenticator app."
                        .into(),
                ));
            }
        }
        let rp_id = origin.host_str().unwrap_or_default().to_owned();
        WebauthnBuilder::new(&rp_id, &origin)
            .map_err(internal)?
            .rp_name(crate::staff_factors::ISSUER)
            .build()
            .map_err(internal)
    }

    /// Keeps a ceremony's state for the browser's answer and returns its id.
    async fn keep_ceremony(
        &self,
        kind: Ceremony,
        staff: Option<StaffId>,
        state: String,
    ) -> Result<String, AppError> {
        let id = random_token(32);
        let now = self.clock.now();
        // Ceremonies never answered are cleared as new ones begin.
        webauthn_ceremony::Entity::delete_many()
            .filter(webauthn_ceremony::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await
            .or_internal()?;
        webauthn_ceremony::ActiveModel {
            id_digest: Set(token_digest(&id)),
            staff_user_id: Set(staff),
            kind: Set(kind.kind().to_owned()),
            state: Set(state),
            expires_at: Set(now + Duration::minutes(CEREMONY_MINUTES)),
        }
        .insert(&self.db)
        .await
        .or_internal()?;
        Ok(id.expose().to_owned())
    }

    /// Takes (and so spends) the state of ceremony `id` of this kind and account.
    async fn take_ceremony(
        &self,
        id: &str,
        kind: Ceremony,
        staff: Option<StaffId>,
    ) -> Result<String, AppError> {
        let digest = token_digest(&Secret::new(id));
        let row = webauthn_ceremony::Entity::find_by_id(digest.clone())
            .one(&self.db)
            .await
            .or_internal()?;
        let taken = webauthn_ceremony::Entity::delete_by_id(digest)
            .exec(&self.db)
            .await
            .or_internal()?
            .rows_affected;
        match row {
            Some(row)
                if taken == 1
                    && row.kind == kind.kind()
                    && row.staff_user_id == staff
                    && row.expires_at > self.clock.now() =>
            {
                Ok(row.state)
            }
            _ => Err(AppError::invalid(
                "passkey",
                "that passkey request has expired: start again",
            )),
        }
    }

    /// The passkeys of `staff`, oldest first.
    pub async fn passkeys(&self, staff: StaffId) -> Result<Vec<PasskeyView>, AppError> {
        Ok(self
            .passkey_rows(staff)
            .await?
            .into_iter()
            .map(|row| PasskeyView {
                id: row.id,
                name: row.name,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            })
            .collect())
    }

    async fn passkey_rows(&self, staff: StaffId) -> Result<Vec<staff_passkey::Model>, AppError> {
        staff_passkey::Entity::find()
            .filter(staff_passkey::Column::StaffUserId.eq(staff))
            .order_by_asc(staff_passkey::Column::Id)
            .all(&self.db)
            .await
            .or_internal()
    }

    /// Starts registering a passkey for the session's owner: at the set-up step of a
    /// sign-in, or after a fresh step-up.
    pub async fn begin_passkey_registration(
        &self,
        session: &StaffSession,
    ) -> Result<PasskeyChallenge, AppError> {
        self.require_factor_change(session).await?;
        let staff = &session.staff;
        let existing = self
            .passkey_rows(staff.id)
            .await?
            .iter()
            .map(|row| open_passkey(row).map(|p| p.cred_id().clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let (mut options, state) = self
            .webauthn()?
            .start_passkey_registration(
                user_handle(staff.id),
                &staff.email,
                &staff.name,
                Some(existing),
            )
            .map_err(internal)?;
        // Ask for a discoverable credential, so the passkey can also sign in without the
        // password ("Sign in with a passkey"); authenticators that cannot still register.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Preferred);
        }
        let state = serde_json::to_string(&state).map_err(internal)?;
        let ceremony = self
            .keep_ceremony(Ceremony::Register, Some(staff.id), state)
            .await?;
        Ok(PasskeyChallenge {
            ceremony,
            options: serde_json::to_string(&options.public_key).map_err(internal)?,
        })
    }

    /// Finishes registering a passkey with the browser's answer (`credential`, the JSON of
    /// its `PublicKeyCredential`). At the set-up step of a sign-in, it counts as showing
    /// a factor.
    pub async fn finish_passkey_registration(
        &self,
        session: &StaffSession,
        ceremony: &str,
        credential: &str,
        name: &str,
    ) -> Result<StaffSession, AppError> {
        self.require_factor_change(session).await?;
        let name = passkey_name(name)?;
        let staff = session.staff.id;
        let state: PasskeyRegistration = serde_json::from_str(
            &self
                .take_ceremony(ceremony, Ceremony::Register, Some(staff))
                .await?,
        )
        .map_err(internal)?;
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(credential).map_err(|_| refused_passkey())?;
        let passkey = match self
            .webauthn()?
            .finish_passkey_registration(&answer, &state)
        {
            Ok(passkey) => passkey,
            Err(e) => {
                tracing::info!(error = %e, "passkey registration refused");
                return Err(refused_passkey());
            }
        };
        let now = self.clock.now();
        staff_passkey::ActiveModel {
            staff_user_id: Set(staff),
            credential_id: Set(credential_key(passkey.cred_id())),
            name: Set(name.clone()),
            passkey: Set(serde_json::to_string(&passkey).map_err(internal)?),
            created_at: Set(now),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::invalid("passkey", "that passkey is already registered")
            }
            _ => internal(e),
        })?;
        self.end_unfinished_sessions_but(&self.db, session).await?;
        let entry = Entry::new(AuditAction::FactorAdded, AuditOutcome::Success)
            .staff(staff)
            .detail(format!("passkey \u{201c}{name}\u{201d}"));
        audit::record(&self.db, now, entry).await.or_internal()?;
        // Registering asked the authenticator to verify its user: that is showing a factor.
        if session.step == SignInStep::EnrolFactor {
            return self.factor_shown(session, "new passkey", now).await;
        }
        self.advance(session, Some(now), session.password_confirmed_at)
            .await
    }

    /// Starts checking one of the session owner's passkeys: the second step of a sign-in,
    /// or a step-up.
    pub async fn begin_passkey_check(
        &self,
        session: &StaffSession,
    ) -> Result<PasskeyChallenge, AppError> {
        let staff = session.staff.id;
        let passkeys = self
            .passkey_rows(staff)
            .await?
            .iter()
            .map(open_passkey)
            .collect::<Result<Vec<_>, _>>()?;
        if passkeys.is_empty() {
            return Err(AppError::invalid("passkey", "you have no passkey"));
        }
        let (options, state) = self
            .webauthn()?
            .start_passkey_authentication(&passkeys)
            .map_err(internal)?;
        let state = serde_json::to_string(&state).map_err(internal)?;
        let ceremony = self
            .keep_ceremony(Ceremony::Authenticate, Some(staff), state)
            .await?;
        Ok(PasskeyChallenge {
            ceremony,
            options: serde_json::to_string(&options.public_key).map_err(internal)?,
        })
    }

    /// Finishes checking a passkey; the session has then shown its factor (now).
    pub async fn finish_passkey_check(
        &self,
        session: &StaffSession,
        ceremony: &str,
        credential: &str,
    ) -> Result<StaffSession, AppError> {
        let staff = session.staff.id;
        // Not counted against the code throttle: a passkey cannot be guessed, and its
        // failures must not lock its owner out of typing a code.
        let state: PasskeyAuthentication = serde_json::from_str(
            &self
                .take_ceremony(ceremony, Ceremony::Authenticate, Some(staff))
                .await?,
        )
        .map_err(internal)?;
        let answer: PublicKeyCredential =
            serde_json::from_str(credential).map_err(|_| refused_passkey())?;
        let now = self.clock.now();
        let checked = self
            .webauthn()?
            .finish_passkey_authentication(&answer, &state);
        let Ok(result) = checked else {
            self.passkey_refused(Some(staff), checked.err(), now)
                .await?;
            return Err(refused_passkey());
        };
        self.record_passkey_use(staff, &result, now).await?;
        self.factor_shown(session, "passkey", now).await
    }

    /// Starts "Sign in with a passkey": no account is named; the passkey will say whose.
    /// Throttled per address like password sign-ins, since each start writes a row.
    pub async fn begin_passkey_sign_in(&self, address: &str) -> Result<PasskeyChallenge, AppError> {
        self.throttle(ThrottleBucket::SignInAddress, address)
            .await?;
        let (options, state) = self
            .webauthn()?
            .start_discoverable_authentication()
            .map_err(internal)?;
        let state = serde_json::to_string(&state).map_err(internal)?;
        let ceremony = self.keep_ceremony(Ceremony::Discover, None, state).await?;
        // The button asks at once (a modal prompt), rather than waiting in the email
        // field's autofill as conditional mediation would.
        Ok(PasskeyChallenge {
            ceremony,
            options: serde_json::to_string(&options.public_key).map_err(internal)?,
        })
    }

    /// Finishes "Sign in with a passkey" and opens a session that has shown its factor.
    /// Throttled per address, as password sign-ins are.
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        credential: &str,
        browser: &Browser,
    ) -> Result<(SessionToken, StaffSession), AppError> {
        self.throttle(ThrottleBucket::SignInAddress, &browser.address)
            .await?;
        let state: DiscoverableAuthentication = serde_json::from_str(
            &self
                .take_ceremony(ceremony, Ceremony::Discover, None)
                .await?,
        )
        .map_err(internal)?;
        let answer: PublicKeyCredential =
            serde_json::from_str(credential).map_err(|_| refused_passkey())?;
        let webauthn = self.webauthn()?;
        let now = self.clock.now();
        let (handle, credential_id) = webauthn
            .identify_discoverable_authentication(&answer)
            .map(|(handle, id)| (handle, credential_key(id)))
            .map_err(|_| refused_passkey())?;
        let row = staff_passkey::Entity::find()
            .filter(staff_passkey::Column::CredentialId.eq(credential_id))
            .one(&self.db)
            .await
            .or_internal()?;
        let Some(row) = row.filter(|row| user_handle(row.staff_user_id) == handle) else {
            self.passkey_refused(None, None, now).await?;
            return Err(refused_passkey());
        };
        let passkey = open_passkey(&row)?;
        let checked = webauthn.finish_discoverable_authentication_v2(&answer, state, &passkey);
        let Ok(result) = checked else {
            self.passkey_refused(Some(row.staff_user_id), checked.err(), now)
                .await?;
            return Err(refused_passkey());
        };
        self.record_passkey_use(row.staff_user_id, &result, now)
            .await?;
        let user = self.staff_account(row.staff_user_id).await?;
        if !user.active {
            self.passkey_refused(Some(user.id), None, now).await?;
            return Err(refused_passkey());
        }
        self.open_session(&user, browser, Some(now), None, "passkey")
            .await
    }

    /// Stores the counter a passkey's use moved on to, if nobody used it meanwhile.
    async fn record_passkey_use(
        &self,
        staff: StaffId,
        result: &webauthn_rs::prelude::AuthenticationResult,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let row = staff_passkey::Entity::find()
            .filter(staff_passkey::Column::StaffUserId.eq(staff))
            .filter(staff_passkey::Column::CredentialId.eq(credential_key(result.cred_id())))
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(refused_passkey)?;
        let mut passkey = open_passkey(&row)?;
        passkey.update_credential(result);
        let updated = staff_passkey::Entity::update_many()
            .col_expr(
                staff_passkey::Column::Passkey,
                Expr::value(serde_json::to_string(&passkey).map_err(internal)?),
            )
            .col_expr(staff_passkey::Column::LastUsedAt, Expr::value(now))
            .filter(staff_passkey::Column::Id.eq(row.id))
            .filter(staff_passkey::Column::Passkey.eq(row.passkey.as_str()))
            .exec(&self.db)
            .await
            .or_internal()?
            .rows_affected;
        if updated == 1 {
            Ok(())
        } else {
            Err(refused_passkey())
        }
    }

    async fn passkey_refused(
        &self,
        staff: Option<StaffId>,
        why: Option<webauthn_rs::prelude::WebauthnError>,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if let Some(why) = &why {
            tracing::info!(error = %why, "passkey refused");
        }
        let mut entry = Entry::new(AuditAction::SecondFactor, AuditOutcome::Failure)
            .detail("a passkey was refused");
        if let Some(staff) = staff {
            entry = entry.staff(staff);
        }
        audit::record(&self.db, now, entry).await.or_internal()
    }

    /// Removes one of the session owner's passkeys (after step-up). Refused when the
    /// policy wants a factor and it is the last one.
    pub async fn remove_passkey(&self, session: &StaffSession, id: i32) -> Result<(), AppError> {
        self.require_factor_change(session).await?;
        let staff = session.staff.id;
        let txn = crate::db::begin_writing(&self.db).await.or_internal()?;
        let factors = self.factors_for_update(&txn, staff).await?;
        let row = staff_passkey::Entity::find_by_id(id)
            .filter(staff_passkey::Column::StaffUserId.eq(staff))
            .one(&txn)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("That passkey".into()))?;
        if factors.passkeys == 1
            && !factors.authenticator_app
            && self
                .settings
                .second_factor_policy()
                .requires(session.staff.role)
        {
            return Err(AppError::invalid(
                "passkey",
                "add another passkey or an authenticator app first: your role must always have a second factor",
            ));
        }
        staff_passkey::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .or_internal()?;
        let entry = Entry::new(AuditAction::FactorRemoved, AuditOutcome::Success)
            .staff(staff)
            .detail(format!("passkey \u{201c}{}\u{201d}", row.name));
        audit::record(&txn, self.clock.now(), entry)
            .await
            .or_internal()?;
        txn.commit().await.or_internal()
    }
}

/// A credential id as it is stored and looked up: base64url, as browsers write it.
fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn open_passkey(row: &staff_passkey::Model) -> Result<Passkey, AppError> {
    serde_json::from_str(&row.passkey).map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_has_its_own_stable_user_handle() {
        assert_eq!(user_handle(StaffId(7)), user_handle(StaffId(7)));
        assert_ne!(user_handle(StaffId(7)), user_handle(StaffId(8)));
    }

    #[test]
    fn passkey_names_are_trimmed_and_bounded() {
        assert_eq!(passkey_name("  Work laptop ").unwrap(), "Work laptop");
        assert_eq!(passkey_name("").unwrap(), "Passkey");
        assert!(passkey_name(&"x".repeat(61)).is_err());
    }
}
