//! Shared by the HTTP tests: the whole router over a fresh in-memory database with demo
//! data, and small request helpers.
#![allow(dead_code)] // each test file uses its own subset

#[path = "../../../store/tests/common/ledger.rs"]
mod ledger;
pub use ledger::{remember_secret, remember_secrets_in};

pub mod process;
pub mod smtp_sink;
pub mod tcp_proxy;

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use janus_domain::contact::ContactRole;
use janus_domain::ids::ClientId;
use janus_domain::settings::{Argon2Settings, Settings};
use janus_store::Store;
use janus_store::entity::{brand, client, contact};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use leptos::config::LeptosOptions;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tower::ServiceExt;

/// The host the test requests name: the default public URL's, which the server accepts.
pub const HOST: &str = "127.0.0.1:3000";

pub async fn app() -> Router {
    app_and_store().await.0
}

/// An in-memory database and the cheapest argon2 the settings allow: these tests are
/// about behaviour, not cost.
pub fn test_settings() -> Settings {
    let mut settings = Settings::default();
    settings.database.url = "sqlite::memory:".into();
    settings.database.max_connections = 1;
    settings.messages.templates_dir =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../templates/messages").into();
    settings.argon2 = Argon2Settings {
        memory_kib: 7_168,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 2,
    };
    settings
}

/// A Compeo client in enrollment (so in the PIN workflow), its owner, and a contact of
/// some other client.
pub async fn pin_client(store: &Store) -> (ClientId, contact::Model, contact::Model) {
    pin_client_in(&store.db).await
}

/// [`pin_client`] in any database with demo data (a server process's, say).
pub async fn pin_client_in(db: &DatabaseConnection) -> (ClientId, contact::Model, contact::Model) {
    let compeo = brand::Entity::find()
        .filter(brand::Column::Slug.eq("compeo"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let c = client::Entity::find()
        .filter(client::Column::BrandId.eq(compeo.id))
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let owner = contact::Entity::find()
        .filter(contact::Column::ClientId.eq(c.id))
        .filter(contact::Column::Role.eq(ContactRole::Owner))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let stranger = contact::Entity::find()
        .filter(contact::Column::ClientId.ne(c.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    (c.id, owner, stranger)
}

/// The router and the store behind it, for tests that look into the database.
pub async fn app_and_store() -> (Router, Store) {
    app_with(test_settings()).await
}

/// The router over a fresh in-memory database with demo data, with these settings.
pub async fn app_with(settings: Settings) -> (Router, Store) {
    let store = server::open_store(
        settings,
        &server::settings::Secrets::from_pepper(b"http test pepper"),
    )
    .await
    .unwrap();
    store.seed_demo().await.unwrap();
    let options = LeptosOptions::builder().output_name("janus").build();
    (server::router::app(store.clone(), options), store)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

/// Asserts the answer's status and that its body says `needle`; `what` names the case.
pub fn expect(answer: &Answer, status: http::StatusCode, needle: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert!(answer.body.contains(needle), "{what}: {}", answer.body);
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes())
        .into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path).header(http::header::HOST, HOST);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

pub fn post(path: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::post(path)
        .header(http::header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(form.to_owned())).unwrap()
}

/// Signs in as the demo agent and returns the `Cookie` header value to send back.
pub async fn sign_in(app: &Router) -> String {
    sign_in_as(app, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await
}

/// Signs in and returns the `Cookie` header value to send back.
pub async fn sign_in_as(app: &Router, email: &str, password: &str) -> String {
    let form = format!(
        "email={}&password={}",
        janus_domain::url::encode_query_value(email),
        janus_domain::url::encode_query_value(password)
    );
    let answer = send(app, post("/api/sign_in", &form, None)).await;
    assert!(
        answer.status.is_success() || answer.status.is_redirection(),
        "{} {}",
        answer.status,
        answer.body
    );
    let set_cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "plain http in tests: {set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    remember_secret(cookie.split_once('=').map_or("", |(_, v)| v));
    cookie
}

/// The token of the link in the newest email to `email`, read from its body (which is
/// sealed at rest).
pub async fn link_token(store: &Store, email: &str) -> String {
    use janus_store::entity::message;
    use sea_orm::QueryOrder;
    let m = message::Entity::find()
        .filter(message::Column::Recipient.eq(email))
        .filter(message::Column::Channel.eq("email"))
        .order_by_desc(message::Column::Id)
        .one(&store.db)
        .await
        .unwrap()
        .unwrap();
    let text = store.sealer.open(&m.text_body).unwrap();
    remember_secrets_in(&text);
    let at = text.find("/pin/").unwrap() + 5;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// What the delivery tests start from: a store with demo data and a clock the test moves,
/// a Compeo client in the PIN workflow with its owner, and the demo agent signed in.
pub struct DeliveryWorld {
    pub store: Store,
    pub clock: std::sync::Arc<janus_domain::clock::FixedClock>,
    pub client_id: ClientId,
    pub owner: contact::Model,
    pub me: janus_domain::staff::StaffView,
}

pub async fn delivery_world(settings: Settings) -> DeliveryWorld {
    let mut store = server::open_store(
        settings,
        &server::settings::Secrets::from_pepper(b"delivery test pepper"),
    )
    .await
    .unwrap();
    let clock = std::sync::Arc::new(janus_domain::clock::FixedClock::new(chrono::Utc::now()));
    store.clock = clock.clone();
    store.seed_demo().await.unwrap();
    let (client_id, owner, _) = pin_client(&store).await;
    let (_, me) = store
        .sign_in(
            DEMO_AGENT_EMAIL,
            janus_domain::Secret::new(DEMO_AGENT_PASSWORD),
        )
        .await
        .unwrap();
    DeliveryWorld {
        store,
        clock,
        client_id,
        owner,
        me,
    }
}
