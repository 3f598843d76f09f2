//! SMS delivery through the Twilio client against a local HTTP server standing in for the
//! Twilio Messages API. The stand-in checks what Twilio checks (the path with the Account
//! SID, HTTP basic auth, a form body with To, Body, a sender and ValidityPeriod) and
//! answers as Twilio does: 201 with the message resource, 400 with an error body for a bad
//! number, 401 for a wrong token, and 503 while it is "down".

mod common;

use janus_domain::ids::ClientId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use base64::Engine;
use chrono::Duration;
use janus_domain::Secret;
use janus_domain::clock::FixedClock;
use janus_domain::messages::Channel;
use janus_domain::security::{DeliveryStatus, LinkPurpose};
use janus_domain::settings::SmsTransport;
use janus_store::Store;
use janus_store::entity::{contact, message};
use janus_store::transports::{TransportSecrets, Transports};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "twilio-test-auth-token";
const FROM: &str = "+15550109999";
const SERVICE: &str = "MG0123456789abcdef0123456789abcdef";
/// Numbers the stand-in treats specially.
const INVALID_NUMBER: &str = "+15550100000";

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
struct Received {
    account: String,
    authorization: String,
    content_type: String,
    form: HashMap<String, String>,
}

#[derive(Clone, Default)]
struct StandIn {
    received: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

async fn messages(
    State(s): State<StandIn>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, String) {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let r = Received {
        account,
        authorization: header(header::AUTHORIZATION),
        content_type: header(header::CONTENT_TYPE),
        form,
    };
    s.received.lock().unwrap().push(r.clone());
    if s.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "<html>busy</html>".into());
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"))
    );
    if r.authorization != expected || r.account != ACCOUNT_SID {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"#.into(),
        );
    }
    if r.form.get("To").map(String::as_str) == Some(INVALID_NUMBER) {
        return (
            StatusCode::BAD_REQUEST,
            format!(
                r#"{{"code": 21211, "message": "The 'To' number {INVALID_NUMBER} is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}}"#
            ),
        );
    }
    (
        StatusCode::CREATED,
        r#"{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}"#.into(),
    )
}

async fn start_stand_in() -> (String, StandIn) {
    let state = StandIn::default();
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(messages),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

struct World {
    store: Store,
    clock: Arc<FixedClock>,
    transports: Transports,
    stand_in: StandIn,
    client_id: ClientId,
    owner: contact::Model,
    me: janus_domain::staff::StaffView,
}

async fn world(sender: &str, token: &str) -> World {
    let (url, stand_in) = start_stand_in().await;
    let mut settings = common::test_settings();
    settings.sms.transport = SmsTransport::Twilio;
    settings.sms.twilio_account_sid = ACCOUNT_SID.into();
    settings.sms.twilio_api_url = url;
    if sender.starts_with("MG") {
        settings.sms.messaging_service_sid = sender.into();
    } else {
        settings.sms.from_number = sender.into();
    }
    settings.validate().unwrap();
    let secrets = TransportSecrets {
        smtp: None,
        twilio_auth_token: Some(Secret::new(token)),
    };
    let transports = Transports::from_settings(&settings, secrets).unwrap();
    let common::DeliveryWorld {
        store,
        clock,
        client_id,
        owner,
        me,
    } = common::delivery_world(settings).await;
    World {
        store,
        clock,
        transports,
        stand_in,
        client_id,
        owner,
        me,
    }
}

impl World {
    async fn set_mobile(&mut self, mobile: &str) {
        let mut k: contact::ActiveModel = self.owner.clone().into();
        k.mobile_phone = Set(Some(mobile.into()));
        self.owner = k.update(&self.store.db).await.unwrap();
    }

    async fn deliver(&self) {
        server::delivery::deliver_due(&self.store, &self.transports)
            .await
            .unwrap();
    }

    /// The newest SMS, its text opened (bodies are sealed at rest).
    async fn sms(&self) -> message::Model {
        let mut m = message::Entity::find()
            .filter(message::Column::Channel.eq("sms"))
            .order_by_desc(message::Column::Id)
            .one(&self.store.db)
            .await
            .unwrap()
            .unwrap();
        m.text_body = self.store.sealer.open(&m.text_body).unwrap();
        common::remember_secrets_in(&m.text_body);
        m
    }

    fn received(&self) -> Vec<Received> {
        self.stand_in.received.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_code_text_reaches_twilio_with_basic_auth_the_sender_and_a_validity_inside_the_codes_life()
 {
    let mut w = world(FROM, AUTH_TOKEN).await;
    w.set_mobile("+15550100199").await;
    w.store
        .send_code(w.client_id, w.owner.id, &w.me)
        .await
        .unwrap();
    w.clock.advance(Duration::seconds(90));
    w.deliver().await;

    let sms = w.sms().await;
    assert_eq!(sms.status, DeliveryStatus::Sent, "{:?}", sms.last_error);
    let received = w.received();
    assert_eq!(received.len(), 1, "one request for the one text");
    let r = &received[0];
    assert_eq!(r.account, ACCOUNT_SID);
    assert_eq!(r.content_type, "application/x-www-form-urlencoded");
    assert_eq!(r.form["To"], "+15550100199");
    assert_eq!(r.form["From"], FROM);
    assert!(!r.form.contains_key("MessagingServiceSid"));
    assert_eq!(r.form["Body"], sms.text_body);
    // The code lives 10 minutes and 90 s have gone: Twilio may hold it 510 s at most.
    assert_eq!(r.form["ValidityPeriod"], "510");
}

#[tokio::test]
async fn a_messaging_service_sends_instead_of_a_number_and_links_wait_at_most_the_configured_validity()
 {
    let mut w = world(SERVICE, AUTH_TOKEN).await;
    w.set_mobile("+15550100199").await;
    w.store
        .send_pin_link(w.client_id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
    w.deliver().await;
    assert_eq!(w.sms().await.status, DeliveryStatus::Sent);
    let r = &w.received()[0];
    assert_eq!(r.form["MessagingServiceSid"], SERVICE);
    assert!(!r.form.contains_key("From"));
    // A link lives 24 h; the text waits at Twilio no longer than the 4 h default.
    assert_eq!(r.form["ValidityPeriod"], "14400");
}

#[tokio::test]
async fn an_invalid_number_fails_for_good_with_the_reason_shown_to_staff() {
    let mut w = world(FROM, AUTH_TOKEN).await;
    w.set_mobile(INVALID_NUMBER).await;
    w.store
        .send_code(w.client_id, w.owner.id, &w.me)
        .await
        .unwrap();
    w.deliver().await;

    let sms = w.sms().await;
    assert_eq!(sms.status, DeliveryStatus::Failed);
    let status = w.store.security_status(w.client_id).await.unwrap();
    let shown = status.code.unwrap().deliveries;
    let sms_view = shown.iter().find(|d| d.channel == Channel::Sms).unwrap();
    assert_eq!(
        sms_view.error.as_deref(),
        Some(
            "invalid phone number (Twilio 21211: The 'To' number +15550100000 is not a valid phone number.)"
        )
    );
    // The email went through the dev mailbox regardless.
    assert!(
        shown.iter().any(|d| d.channel == Channel::Email
            && d.status == janus_domain::security::DeliveryStatus::Sent)
    );
}

#[tokio::test]
async fn while_twilio_is_down_or_refuses_the_token_texts_wait_and_go_once_it_answers() {
    let mut w = world(FROM, "a-wrong-token").await;
    w.set_mobile("+15550100199").await;
    w.store
        .send_pin_link(w.client_id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();

    // A wrong token is an operator's mistake: the text waits for it to be fixed.
    w.deliver().await;
    let sms = w.sms().await;
    assert_eq!(sms.status, DeliveryStatus::Queued);
    assert!(
        sms.last_error
            .as_deref()
            .unwrap()
            .starts_with("Twilio refused the account credentials (Twilio 20003"),
        "{:?}",
        sms.last_error
    );

    // The operator restarts with the right token while Twilio is down.
    w.transports = {
        Transports::from_settings(
            &w.store.settings,
            TransportSecrets {
                smtp: None,
                twilio_auth_token: Some(Secret::new(AUTH_TOKEN)),
            },
        )
        .unwrap()
    };
    w.stand_in.down.store(true, Ordering::SeqCst);
    w.clock.advance(Duration::minutes(1));
    w.deliver().await;
    let sms = w.sms().await;
    assert_eq!(sms.status, DeliveryStatus::Queued);
    assert_eq!(sms.attempts, 2);
    assert_eq!(
        sms.last_error.as_deref(),
        Some("Twilio is unavailable (HTTP 503)")
    );

    // Not before its backoff ...
    let tries = w.received().len();
    w.deliver().await;
    assert_eq!(w.received().len(), tries, "no retry before the backoff");
    // ... and once Twilio answers, it goes, once.
    w.stand_in.down.store(false, Ordering::SeqCst);
    w.clock.advance(Duration::minutes(1));
    w.deliver().await;
    w.clock.advance(Duration::minutes(20));
    w.deliver().await;
    assert_eq!(w.sms().await.status, DeliveryStatus::Sent);
    assert_eq!(
        w.received().len(),
        tries + 1,
        "exactly one more request, which succeeded"
    );
}
