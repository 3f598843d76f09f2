//! The Security Verification modal's server functions, the client PIN page's, and the
//! development mailbox's. Each checks the session (the client page checks its link
//! instead) and calls one use case.

use janus_domain::AppError;
use janus_domain::dashboard::BrandView;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::messages::MailboxMessage;
use janus_domain::security::{
    CheckResult, CodeCheckOutcome, LinkPurpose, PinCheckOutcome, SecurityStatus, SetupPage,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "get_security_status")]
pub async fn get_security_status(client_id: ClientId) -> Result<SecurityStatus, AppError> {
    let (store, _staff) = context::require_staff(Permission::VerifyCallers).await?;
    store.security_status(client_id).await
}

/// The same status, asked by the modal on its own while it waits for news: not a
/// person's activity, so it does not extend the session's idle deadline.
#[server(prefix = "/api", endpoint = "watch_security_status")]
pub async fn watch_security_status(client_id: ClientId) -> Result<SecurityStatus, AppError> {
    let (store, _staff) = context::require_staff_in_background(Permission::VerifyCallers).await?;
    store.security_status(client_id).await
}

/// *Create PIN* (`purpose=setup`) or *Reset PIN* (`purpose=reset`).
#[server(prefix = "/api", endpoint = "send_pin_link")]
pub async fn send_pin_link(
    client_id: ClientId,
    contact_id: ContactId,
    purpose: LinkPurpose,
) -> Result<SecurityStatus, AppError> {
    let (store, staff) = context::require_staff(Permission::WorkEnrollments).await?;
    store
        .send_pin_link(client_id, contact_id, purpose, &staff)
        .await
}

/// *Verify PIN*: `contact_id` is who staff say is on the phone.
#[server(prefix = "/api", endpoint = "verify_pin")]
pub async fn verify_pin(
    client_id: ClientId,
    contact_id: ContactId,
    pin: String,
) -> Result<CheckResult<PinCheckOutcome>, AppError> {
    use janus_domain::Secret;
    let (store, staff) = context::require_staff(Permission::VerifyCallers).await?;
    store
        .verify_pin(client_id, contact_id, Secret::new(pin), &staff)
        .await
}

/// *End verification*: an admin ends the client's verifications in force now.
#[server(prefix = "/api", endpoint = "end_verification")]
pub async fn end_verification(client_id: ClientId) -> Result<SecurityStatus, AppError> {
    let (store, staff) = context::require_step_up(Permission::OverrideSafeguards).await?;
    store.end_verification(client_id, &staff).await
}

/// *Unlock PIN checks*: an admin lifts a lock or a hold on a client's PIN checks, with a
/// reason for the audit trail.
#[server(prefix = "/api", endpoint = "unlock_pin_checks")]
pub async fn unlock_pin_checks(
    client_id: ClientId,
    reason: String,
) -> Result<SecurityStatus, AppError> {
    let (store, staff) = context::require_step_up(Permission::OverrideSafeguards).await?;
    store.unlock_pin_checks(client_id, &reason, &staff).await
}

/// An admin lets links and codes go to a contact's new address before its cooling-off
/// period ends, with a reason for the audit trail.
#[server(prefix = "/api", endpoint = "approve_cooling_off")]
pub async fn approve_cooling_off(
    client_id: ClientId,
    contact_id: ContactId,
    reason: String,
) -> Result<SecurityStatus, AppError> {
    let (store, staff) = context::require_step_up(Permission::OverrideSafeguards).await?;
    store
        .approve_cooling_off(client_id, contact_id, &reason, &staff)
        .await
}

/// *Prove it's us*: sends the contact's email and mobile on file three words and answers
/// with the same words, for staff to read aloud.
#[server(prefix = "/api", endpoint = "prove_its_us")]
pub async fn prove_its_us(
    client_id: ClientId,
    contact_id: ContactId,
) -> Result<janus_domain::security::ProofSent, AppError> {
    let (store, staff) = context::require_staff(Permission::VerifyCallers).await?;
    store.prove_its_us(client_id, contact_id, &staff).await
}

#[server(prefix = "/api", endpoint = "send_two_step_code")]
pub async fn send_two_step_code(
    client_id: ClientId,
    contact_id: ContactId,
) -> Result<SecurityStatus, AppError> {
    let (store, staff) = context::require_staff(Permission::VerifyCallers).await?;
    store.send_code(client_id, contact_id, &staff).await
}

#[server(prefix = "/api", endpoint = "verify_two_step_code")]
pub async fn verify_two_step_code(
    client_id: ClientId,
    code: String,
) -> Result<CheckResult<CodeCheckOutcome>, AppError> {
    use janus_domain::Secret;
    let (store, staff) = context::require_staff(Permission::VerifyCallers).await?;
    store
        .verify_code(client_id, Secret::new(code), &staff)
        .await
}

/// The client PIN page's header: whose PIN, for which brand. Public; the link is the key.
#[server(prefix = "/api", endpoint = "get_setup_page")]
pub async fn get_setup_page(token: String) -> Result<SetupPage, AppError> {
    use janus_domain::Secret;
    context::store()?
        .open_setup_page(&Secret::new(token), &context::client_address()?)
        .await
}

/// The client sets their PIN. From the page's script the answer is data; from a plain
/// form post (no JavaScript) it is a redirect: to the *Setup complete* page, or back to
/// the form with the problem's code in the address (never the digits).
#[server(prefix = "/api", endpoint = "complete_pin_setup")]
pub async fn complete_pin_setup(
    token: String,
    pin: String,
    confirm: String,
) -> Result<SetupPage, AppError> {
    use janus_domain::Secret;
    use janus_domain::security::after_form_post;
    use janus_store::setup_form::SetupForm;
    let store = context::store()?;
    let answer = store
        .submit_setup_form(SetupForm {
            token: &Secret::new(token.clone()),
            pin: Secret::new(pin),
            confirm: Secret::new(confirm),
            address: &context::client_address()?,
        })
        .await;
    if context::is_plain_form_post()? {
        let to = after_form_post(&token, answer.as_ref().map_err(|r| r.problem));
        leptos_axum::redirect(&to);
    }
    answer.map_err(|refused| refused.error)
}

/// A brand's public face, for the *Setup complete* page.
#[server(prefix = "/api", endpoint = "get_brand")]
pub async fn get_brand(slug: String) -> Result<BrandView, AppError> {
    context::store()?.brand_view(&slug).await
}

/// Every message "sent", newest first; development mode only, and staff only: the
/// messages carry live links and codes.
#[server(prefix = "/api", endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let (store, _) = context::require_staff(Permission::WorkEnrollments).await?;
    store.dev_mailbox().await
}

#[cfg(feature = "ssr")]
use super::context;
#[cfg(feature = "ssr")]
use janus_domain::staff::Permission;
