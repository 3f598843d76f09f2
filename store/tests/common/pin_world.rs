//! A seeded database, a signed-in agent and a Compeo client in enrollment with an owner
//! (with a mobile) and a contact who may not manage the PIN; and the steps the PIN tests
//! repeat: send a link, read it from the message rows, set a PIN, verify.
#![allow(dead_code)] // each test file uses its own subset

use janus_domain::audit::AuditAction;
use janus_domain::contact::ContactRole;
use janus_domain::contact_edit::ContactDraft;
use janus_domain::messages::MessageKind;
use janus_domain::security::{CodeCheckOutcome, LinkPurpose, PinCheckOutcome};
use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, brand, client, contact, message};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::{TestStore, test_store};

pub const GOOD_PIN: &str = "731946";
pub const OTHER_PIN: &str = "284617";

pub struct World {
    pub t: TestStore,
    pub me: StaffView,
    pub client: client::Model,
    pub owner: contact::Model,
    /// A contact who may not manage the PIN.
    pub other: contact::Model,
}

pub fn refused<T>(result: Result<T, AppError>) -> AppError {
    match result {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e,
    }
}

pub async fn world() -> World {
    world_in(test_store().await).await
}

/// The same world in a store of the caller's.
pub async fn world_in(t: TestStore) -> World {
    t.store.seed_demo().await.unwrap();
    let (_, me) = t
        .store
        .sign_in(DEMO_AGENT_EMAIL, Secret::new(DEMO_AGENT_PASSWORD))
        .await
        .unwrap();
    let db = &t.store.db;
    let in_scope = brand::Entity::find()
        .filter(brand::Column::Slug.eq("compeo"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    for c in client::Entity::find()
        .filter(client::Column::BrandId.eq(in_scope.id))
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .order_by_asc(client::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        let contacts = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(c.id))
            .all(db)
            .await
            .unwrap();
        let owner = contacts
            .iter()
            .find(|k| k.role == ContactRole::Owner && k.mobile_phone.is_some());
        let other = contacts.iter().find(|k| !k.role.may_manage_pin());
        if let (Some(owner), Some(other)) = (owner, other) {
            return World {
                me,
                owner: owner.clone(),
                other: other.clone(),
                client: c,
                t,
            };
        }
    }
    panic!("the demo data has no Compeo client with an owner with a mobile and another contact");
}

/// The newest message to `address` on `channel`.
/// Its text is opened (bodies are sealed at rest).
pub async fn last_message(w: &World, channel: &str, address: &str) -> message::Model {
    let mut m = message::Entity::find()
        .filter(message::Column::Channel.eq(channel))
        .filter(message::Column::Recipient.eq(address))
        .order_by_desc(message::Column::Id)
        .one(&w.t.store.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {channel} to {address}"));
    m.text_body = w.t.store.sealer.open(&m.text_body).unwrap();
    super::remember_secrets_in(&m.text_body);
    m
}

/// The token of the link in the newest email to the owner.
pub async fn link_token(w: &World) -> Secret {
    let m = last_message(w, "email", &w.owner.email).await;
    let at = m.text_body.find("/pin/").expect("a link in the email") + 5;
    let token: String = m.text_body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    Secret::new(token)
}

pub async fn send_link(w: &World, purpose: LinkPurpose) -> Secret {
    w.t.store
        .send_pin_link(w.client.id, w.owner.id, purpose, &w.me)
        .await
        .unwrap();
    link_token(w).await
}

pub async fn set_pin(w: &World, purpose: LinkPurpose, pin: &str) {
    let token = send_link(w, purpose).await;
    w.t.store
        .complete_setup(&token, Secret::new(pin), Secret::new(pin))
        .await
        .unwrap();
}

/// *Verify PIN*, checking on the way that the status it answers with is the one a fresh
/// read gives (the use case builds it while the hash is compared, then applies the outcome).
pub async fn verify(w: &World, pin: &str) -> Result<PinCheckOutcome, AppError> {
    let result =
        w.t.store
            .verify_pin(w.client.id, w.owner.id, Secret::new(pin), &w.me)
            .await?;
    assert_eq!(
        result.status,
        w.t.store.security_status(w.client.id).await.unwrap(),
        "the status answered with {:?}",
        result.outcome
    );
    Ok(result.outcome)
}

/// The code in the newest SMS to the owner.
pub async fn sent_code(w: &World) -> String {
    sent_code_to(w, w.owner.mobile_phone.as_ref().unwrap()).await
}

/// The code in the newest SMS to `mobile`.
pub async fn sent_code_to(w: &World, mobile: &str) -> String {
    let sms = last_message(w, "sms", mobile).await;
    let at = sms.text_body.find("code is ").unwrap() + 8;
    sms.text_body[at..at + 6].to_owned()
}

/// The newest audit entry of `action` for the world's client.
pub async fn latest_audit(w: &World, action: AuditAction) -> audit_event::Model {
    audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(w.client.id))
        .filter(audit_event::Column::Action.eq(action))
        .order_by_desc(audit_event::Column::Id)
        .one(&w.t.store.db)
        .await
        .unwrap()
        .unwrap()
}

/// The owner as on file, with another email address.
pub fn owner_with_email(w: &World, email: &str) -> ContactDraft {
    ContactDraft::parse(
        &w.owner.name,
        w.owner.role,
        email,
        w.owner.mobile_phone.as_deref().unwrap_or(""),
    )
    .unwrap()
}

/// How many contact-changed notices went to `address`.
pub async fn notices_to(w: &World, address: &str) -> u64 {
    message::Entity::find()
        .filter(message::Column::Recipient.eq(address))
        .filter(message::Column::Kind.eq(MessageKind::ContactChanged))
        .count(&w.t.store.db)
        .await
        .unwrap()
}

pub async fn check_code(w: &World, code: &str) -> Result<CodeCheckOutcome, AppError> {
    w.t.store
        .verify_code(w.client.id, Secret::new(code), &w.me)
        .await
        .map(|r| r.outcome)
}

pub fn wrong(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

/// The demo admin, signed in.
pub async fn admin(w: &World) -> StaffView {
    use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
    w.t.store
        .sign_in(DEMO_ADMIN_EMAIL, Secret::new(DEMO_ADMIN_PASSWORD))
        .await
        .unwrap()
        .1
}
