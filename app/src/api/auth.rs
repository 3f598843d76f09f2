//! Signing in and out, the steps between the password and the dashboard (a second factor,
//! a password of one's own, a factor set up), and who is signed in.

use janus_domain::AppError;
use janus_domain::staff::second_factor::AuthenticatorSetup;
use janus_domain::staff::{AccountView, StaffView};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use janus_domain::Secret;
    use janus_store::sign_in::SignInAttempt;
    let store = context::store()?;
    let browser = context::browser()?;
    let headers = context::request_headers()?;
    let device_cookie = crate::session_cookie::read_device(&store.settings, &headers);
    let signed_in = store
        .sign_in_from(SignInAttempt {
            email: &email,
            password: Secret::new(password),
            browser: &browser,
            device_cookie: device_cookie.as_deref(),
        })
        .await?;
    context::set_cookie(crate::session_cookie::set(
        &store.settings,
        &signed_in.token,
    ))?;
    context::set_cookie(crate::session_cookie::set_device(
        &store.settings,
        &signed_in.device_cookie,
    ))?;
    go_on(signed_in.session.step, next.as_deref());
    Ok(())
}

/// The page of `step`, carrying where the browser was going, or that place once signing
/// in is done.
#[cfg(feature = "ssr")]
pub(super) fn next_page(
    step: janus_domain::staff::second_factor::SignInStep,
    next: Option<&str>,
) -> String {
    use janus_domain::staff::second_factor::SignInStep;
    let next = janus_domain::url::local_redirect(next);
    match step {
        SignInStep::Done => next,
        step => format!(
            "{}?next={}",
            step.path(),
            janus_domain::url::encode_query_value(&next)
        ),
    }
}

/// Sends the browser to [`next_page`].
#[cfg(feature = "ssr")]
fn go_on(step: janus_domain::staff::second_factor::SignInStep, next: Option<&str>) {
    leptos_axum::redirect(&next_page(step, next));
}

/// The second step of signing in: a code from the authenticator app or a recovery code.
#[server(prefix = "/api", endpoint = "confirm_second_factor")]
pub async fn confirm_second_factor(code: String, next: Option<String>) -> Result<(), AppError> {
    use janus_domain::staff::second_factor::SignInStep;
    let (store, session) = context::require_session().await?;
    if session.step != SignInStep::SecondFactor {
        return Err(AppError::invalid(
            "code",
            "no second factor is being asked for",
        ));
    }
    let session = store.confirm_second_factor(&session, &code).await?;
    go_on(session.step, next.as_deref());
    Ok(())
}

/// Confirms it is still the session's owner for an admin action (step-up): a code from
/// the authenticator app, a recovery code or, for an account with no second factor, the
/// password.
#[server(prefix = "/api", endpoint = "step_up")]
pub async fn step_up(code: String, password: String) -> Result<(), AppError> {
    use janus_domain::Secret;
    let (store, session) = context::require_session().await?;
    session.clone().finished()?;
    if code.trim().is_empty() {
        store
            .confirm_password_again(&session, Secret::new(password))
            .await?;
    } else {
        store.confirm_second_factor(&session, &code).await?;
    }
    Ok(())
}

/// A password of one's own: at sign-in when an admin issued the current one, or from the
/// account page.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use janus_domain::Secret;
    use janus_domain::staff::second_factor::SignInStep;
    let (store, session) = context::require_session().await?;
    let at_sign_in = session.step == SignInStep::ChangePassword;
    let session = store
        .change_own_password(
            &session,
            Secret::new(current_password),
            Secret::new(password),
        )
        .await?;
    if at_sign_in || context::is_plain_form_post()? {
        go_on(session.step, next.as_deref());
    }
    Ok(())
}

/// Starts setting up an authenticator app: the QR code and the secret it holds.
#[server(prefix = "/api", endpoint = "begin_authenticator_setup")]
pub async fn begin_authenticator_setup() -> Result<AuthenticatorSetup, AppError> {
    let (store, session) = context::require_session().await?;
    store.begin_authenticator_setup(&session).await
}

/// Finishes setting up the authenticator app with a first code; answers with the ten
/// recovery codes, shown this once.
#[server(prefix = "/api", endpoint = "confirm_authenticator_setup")]
pub async fn confirm_authenticator_setup(code: String) -> Result<Vec<String>, AppError> {
    let (store, session) = context::require_session().await?;
    let (_, codes) = store.confirm_authenticator_setup(&session, &code).await?;
    Ok(codes)
}

/// Where the signed-in person's account stands, at whatever step of signing in.
#[server(prefix = "/api", endpoint = "my_account")]
pub async fn my_account() -> Result<AccountView, AppError> {
    let (store, session) = context::require_session().await?;
    store.account(&session).await
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let store = context::store()?;
    if let Some(token) = context::session_token()? {
        store.sign_out(&token).await?;
    }
    context::set_cookie(crate::session_cookie::clear(&store.settings))?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "current_staff")]
pub async fn current_staff() -> Result<StaffView, AppError> {
    let (_, staff) = context::require_staff(Permission::VerifyCallers).await?;
    Ok(staff)
}

#[cfg(feature = "ssr")]
use super::context;
#[cfg(feature = "ssr")]
use janus_domain::staff::Permission;
