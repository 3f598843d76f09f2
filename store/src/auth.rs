//! Staff accounts and server-side sessions.
//!
//! A session is a random 256-bit token in an HttpOnly cookie; the database keeps only its
//! SHA-256, so several server processes share sessions and a database leak yields no usable
//! cookie. Sessions end after `sessions.idle_minutes` without a request and after
//! `sessions.absolute_hours` in any case, and when the user is deactivated.
//!
//! A session opened with a password alone may still have steps ahead of it (a second
//! factor, a new password, a factor to set up: [`SignInStep`]); until it is `done` it opens
//! nothing but those steps. The step is kept on the session row, and moves on in
//! `staff_factors/mod.rs` (`Store::advance`).

use chrono::{DateTime, Duration, Utc};
use janus_domain::contact::normalize_email;
use janus_domain::ids::StaffId;
use janus_domain::staff::second_factor::SignInStep;
use janus_domain::staff::{StaffRole, StaffView, check_new_password, check_staff_name};
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};

use crate::audit::{self, Entry};
use crate::entity::{session, staff_user};
use crate::{OrInternal, Store, internal};
use janus_domain::audit::{AuditAction, AuditOutcome};

/// The cookie value of a session. Not `Debug`: it must not reach a log.
pub struct SessionToken(Secret);

impl SessionToken {
    fn generate() -> Self {
        Self(crate::tokens::random_token(32))
    }

    pub fn from_cookie(value: &str) -> Self {
        Self(Secret::new(value))
    }

    pub fn cookie_value(&self) -> &str {
        self.0.expose()
    }

    pub(crate) fn hash(&self) -> String {
        crate::tokens::token_digest(&self.0)
    }
}

/// A live session: who it belongs to and how far signing in has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub staff: StaffView,
    pub step: SignInStep,
    /// When the session last confirmed a second factor (at sign-in or step-up).
    pub factor_confirmed_at: Option<DateTime<Utc>>,
    /// When the session last confirmed its password (at sign-in or step-up).
    pub password_confirmed_at: Option<DateTime<Utc>>,
    /// The session row's key (the token's digest): never sent to a browser.
    pub(crate) token_hash: String,
}

impl StaffSession {
    /// The staff member, if signing in is finished; otherwise the step still to do.
    pub fn finished(self) -> Result<StaffView, AppError> {
        match self.step {
            SignInStep::Done => Ok(self.staff),
            step => Err(AppError::SignInUnfinished(step)),
        }
    }
}

/// The browser a session is opened from, as the sessions list shows it.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub user_agent: String,
    pub address: String,
}

/// The longest User-Agent kept: enough to name any browser, and a header cannot fill
/// the table.
const MAX_USER_AGENT_CHARS: usize = 300;

/// A new staff account, as typed by an admin or on the command line.
pub struct NewStaff {
    pub name: String,
    pub email: String,
    pub password: Secret,
    pub role: StaffRole,
}

pub(crate) fn view(user: &staff_user::Model) -> Result<StaffView, AppError> {
    Ok(StaffView {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role,
    })
}

/// Who made a request: a person (whose activity keeps the session alive) or the page on
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Person,
    Background,
}

impl Store {
    /// Creates a staff account from the command line or the demo seed (no admin involved).
    pub async fn create_staff(&self, new: NewStaff) -> Result<StaffView, AppError> {
        self.insert_staff(new, None).await
    }

    /// Creates a staff account; the audit names `created_by`, or the new account itself
    /// when nobody signed in created it.
    pub(crate) async fn insert_staff(
        &self,
        new: NewStaff,
        created_by: Option<StaffId>,
    ) -> Result<StaffView, AppError> {
        let name = check_staff_name(&new.name)?;
        let email = normalize_email("email", &new.email)?;
        check_new_password(new.password.expose(), &name, &email)?;
        let password_hash = self.hasher.hash(new.password).await?;
        let now = self.clock.now();
        let inserted = staff_user::ActiveModel {
            name: Set(name),
            email: Set(email.clone()),
            password_hash: Set(password_hash),
            role: Set(new.role),
            active: Set(true),
            created_at: Set(now),
            // A password an admin typed is known to two people: its owner replaces it.
            must_change_password: Set(created_by.is_some()),
            totp_secret_sealed: Set(None),
            totp_confirmed_at: Set(None),
            totp_last_step: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::invalid(
                "email",
                format!("a staff account for {email} already exists"),
            ),
            _ => internal(e),
        })?;
        let entry = Entry::new(AuditAction::StaffCreated, AuditOutcome::Success)
            .staff(created_by.unwrap_or(inserted.id))
            .detail(format!(
                "{} ({})",
                inserted.email,
                <&str>::from(inserted.role)
            ));
        audit::record(&self.db, now, entry).await.or_internal()?;
        view(&inserted)
    }

    /// Checks an email and password and opens a session from an unnamed browser (the
    /// command line's and the tests' way in), returning who signed in whatever steps are
    /// still ahead; [`Self::session`] tells them.
    pub async fn sign_in(
        &self,
        email: &str,
        password: Secret,
    ) -> Result<(SessionToken, StaffView), AppError> {
        let (token, session) = self
            .sign_in_with(email, password, &Browser::default())
            .await?;
        Ok((token, session.staff))
    }

    /// Checks an email and password and opens a session at its first step (see
    /// [`SignInStep::of`]). Every refusal looks the same.
    pub async fn sign_in_with(
        &self,
        email: &str,
        password: Secret,
        browser: &Browser,
    ) -> Result<(SessionToken, StaffSession), AppError> {
        if email.trim().is_empty() {
            return Err(AppError::invalid("email", "enter your email address"));
        }
        if password.expose().is_empty() {
            return Err(AppError::invalid("password", "enter your password"));
        }
        if password.expose().chars().count() > janus_domain::staff::MAX_PASSWORD_CHARS {
            return Err(AppError::InvalidCredentials);
        }
        let now = self.clock.now();
        let email = janus_domain::contact::email_key(email);
        let user = staff_user::Entity::find()
            .filter(staff_user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await
            .or_internal()?;
        let accepted = match &user {
            Some(u) => {
                self.hasher
                    .verify(password, u.password_hash.clone())
                    .await?
                    && u.active
            }
            None => {
                self.hasher.verify_decoy(password).await;
                false
            }
        };
        let user = match user {
            Some(u) if accepted => u,
            other => {
                // What was typed is kept only when it is an address: a password typed into
                // the email box must not become a line of the audit trail.
                let typed = match janus_domain::contact::normalize_email("email", &email) {
                    Ok(address) => address,
                    Err(_) => "a malformed address".to_owned(),
                };
                let mut entry = Entry::new(AuditAction::SignIn, AuditOutcome::Failure)
                    .detail(format!("sign-in refused for {typed}"));
                if let Some(u) = other {
                    entry = entry.staff(u.id);
                }
                audit::record(&self.db, now, entry).await.or_internal()?;
                return Err(AppError::InvalidCredentials);
            }
        };
        self.open_session(&user, browser, None, Some(now), "password")
            .await
    }

    /// Opens a session for `user`, who just showed a factor at `factor_confirmed_at`
    /// and/or a password at `password_confirmed_at` (`how`, for the audit trail), at the
    /// step signing in is then at.
    pub(crate) async fn open_session(
        &self,
        user: &staff_user::Model,
        browser: &Browser,
        factor_confirmed_at: Option<DateTime<Utc>>,
        password_confirmed_at: Option<DateTime<Utc>>,
        how: &str,
    ) -> Result<(SessionToken, StaffSession), AppError> {
        let now = self.clock.now();
        let token = SessionToken::generate();
        let step = self.step_after(user, factor_confirmed_at).await?;
        let user_agent: String = browser
            .user_agent
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_USER_AGENT_CHARS)
            .collect();
        session::ActiveModel {
            token_hash: Set(token.hash()),
            staff_user_id: Set(user.id),
            created_at: Set(now),
            last_seen_at: Set(now),
            sign_in_step: Set(step),
            factor_confirmed_at: Set(factor_confirmed_at),
            password_confirmed_at: Set(password_confirmed_at),
            user_agent: Set(user_agent),
            address: Set(browser.address.clone()),
        }
        .insert(&self.db)
        .await
        .or_internal()?;
        let detail = match step {
            SignInStep::Done => how.to_owned(),
            step => format!("{how}, {}", step.still_to_do()),
        };
        let entry = Entry::new(AuditAction::SignIn, AuditOutcome::Success)
            .staff(user.id)
            .detail(detail);
        audit::record(&self.db, now, entry).await.or_internal()?;
        let session = StaffSession {
            staff: view(user)?,
            step,
            factor_confirmed_at,
            password_confirmed_at,
            token_hash: token.hash(),
        };
        Ok((token, session))
    }

    /// The staff member a session cookie belongs to, if the session is alive and signing in
    /// is finished. Extends the idle deadline; ends the session if either deadline has passed.
    pub async fn session_staff(&self, token: &SessionToken) -> Result<Option<StaffView>, AppError> {
        Ok(self
            .session(token)
            .await?
            .and_then(|session| session.finished().ok()))
    }

    /// The live session a cookie belongs to, at whatever step of signing in. Extends the
    /// idle deadline; ends the session if either deadline has passed.
    pub async fn session(&self, token: &SessionToken) -> Result<Option<StaffSession>, AppError> {
        self.session_for(token, Presence::Person).await
    }

    /// Like [`Self::session`], for a request a page makes by itself (a modal looking for
    /// news): the session must be alive, but the request does not keep it alive, so an
    /// unattended screen still times out (ASVS 7.3.1 counts a person's activity).
    pub async fn session_in_background(
        &self,
        token: &SessionToken,
    ) -> Result<Option<StaffSession>, AppError> {
        self.session_for(token, Presence::Background).await
    }

    async fn session_for(
        &self,
        token: &SessionToken,
        presence: Presence,
    ) -> Result<Option<StaffSession>, AppError> {
        let now = self.clock.now();
        let hash = token.hash();
        // `all`, not `one`: a primary key finds at most one row, and `one` adds a bound LIMIT,
        // which makes SQLite compile the statement again on every request (docs/PERFORMANCE.md).
        let Some((session, Some(user))) = session::Entity::find_by_id(hash.clone())
            .find_also_related(staff_user::Entity)
            .all(&self.db)
            .await
            .or_internal()?
            .pop()
        else {
            return Ok(None);
        };
        let limits = &self.settings.sessions;
        let idle_end = session.last_seen_at + Duration::minutes(limits.idle_minutes.into());
        let absolute_end = session.created_at + Duration::hours(limits.absolute_hours.into());
        if now >= idle_end || now >= absolute_end || !user.active {
            session::Entity::delete_by_id(hash)
                .exec(&self.db)
                .await
                .or_internal()?;
            return Ok(None);
        }
        let (step, factor_confirmed_at, password_confirmed_at) = (
            session.sign_in_step,
            session.factor_confirmed_at,
            session.password_confirmed_at,
        );
        // Writing on every request would serialise all requests on SQLite's one writer;
        // a minute's precision on the idle deadline is plenty.
        if presence == Presence::Person && now - session.last_seen_at >= Duration::minutes(1) {
            let mut active: session::ActiveModel = session.into();
            active.last_seen_at = Set(now);
            active.update(&self.db).await.or_internal()?;
        }
        let staff = view(&user)?;
        // A session part-way through signing in is judged afresh on each request: the
        // account may have changed since its step was saved (a factor set up in another
        // session must not leave this one free to set up its own). So is a session
        // finished without a factor when the policy now wants one for this role (the
        // settings changed, or the account became an admin). Both are rare, so the
        // factors are read only then.
        let step = if step != SignInStep::Done
            || (factor_confirmed_at.is_none()
                && self.settings.second_factor_policy().requires(staff.role))
        {
            let now_at = self.step_after(&user, factor_confirmed_at).await?;
            if now_at != step && step != SignInStep::Done {
                session::Entity::update_many()
                    .col_expr(session::Column::SignInStep, Expr::value(now_at))
                    .filter(session::Column::TokenHash.eq(hash.as_str()))
                    .exec(&self.db)
                    .await
                    .or_internal()?;
            }
            now_at
        } else {
            step
        };
        Ok(Some(StaffSession {
            staff,
            step,
            factor_confirmed_at,
            password_confirmed_at,
            token_hash: hash,
        }))
    }

    pub async fn sign_out(&self, token: &SessionToken) -> Result<(), AppError> {
        let hash = token.hash();
        if let Some(session) = session::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await
            .or_internal()?
        {
            session::Entity::delete_by_id(hash)
                .exec(&self.db)
                .await
                .or_internal()?;
            self.announce_sessions_ended(session.staff_user_id).await;
            let entry = Entry::new(AuditAction::SignOut, AuditOutcome::Success)
                .staff(session.staff_user_id);
            audit::record(&self.db, self.clock.now(), entry)
                .await
                .or_internal()?;
        }
        Ok(())
    }
}
