//! A fresh, migrated database per test: in-memory SQLite by default, or a new database on
//! the PostgreSQL server named by `DATABASE_URL` (the README's test command starts one).

mod ledger;
pub use ledger::remember_secrets_in;

pub mod pin_world;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use janus_domain::clock::FixedClock;
use janus_domain::settings::{Argon2Settings, Settings};
use janus_store::{SecretHasher, Store};
use sea_orm::{ConnectionTrait, Database};

#[allow(dead_code)] // not every test file moves the clock
pub struct TestStore {
    pub store: Store,
    pub clock: Arc<FixedClock>,
}

pub async fn test_store() -> TestStore {
    test_store_with(|_| {}).await
}

/// [`test_store`] with some settings changed after the test defaults are in place.
#[allow(dead_code)] // not every test file changes them
pub async fn test_store_with(adjust: impl FnOnce(&mut Settings)) -> TestStore {
    let mut settings = Settings::default();
    settings.database.url = database_url().await;
    // sqlx gives each `sqlite::memory:` database a name and a shared cache, so the store's
    // write batches, on a connection of their own, see the same one. The pool keeps one
    // connection: shared-cache locks are per table, and crossed ones end in SQLITE_LOCKED
    // where a file's would wait out the busy timeout.
    settings.database.max_connections = if settings.database.url.starts_with("sqlite") {
        1
    } else {
        5
    };
    // The cheapest parameters the settings allow: these tests are about rules, not cost.
    settings.argon2 = Argon2Settings {
        memory_kib: 7_168,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 4,
    };
    adjust(&mut settings);
    let db = janus_store::connect(&settings.database)
        .await
        .expect("connect");
    janus_store::migrate(&db).await.expect("migrate");
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap(),
    ));
    let hasher = SecretHasher::new(&settings.argon2, b"test pepper").unwrap();
    let settings_url = settings.site.public_url.clone();
    let templates = janus_store::templates::load(&templates_dir(), &settings_url).unwrap();
    let store = Store::new(
        db,
        settings,
        clock.clone(),
        hasher,
        templates,
        janus_store::sealing::Sealer::new(b"test pepper"),
    );
    TestStore { store, clock }
}

/// The message templates the project ships.
pub fn templates_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/messages")
}

#[allow(dead_code)] // not every test file asks
pub fn on_postgres() -> bool {
    std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

async fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("janus_test_{:016x}", rand_id());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL admin database");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("DATABASE_URL has a database name");
            format!("{base}/{name}")
        }
        _ => "sqlite::memory:".to_owned(),
    }
}

fn rand_id() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// A second store on `t`'s database, with its own connections and live feed: what another
/// server process sharing the database has (PostgreSQL only; an in-memory SQLite database
/// belongs to one process).
#[allow(dead_code)] // not every test file runs two processes
pub async fn another_process(t: &TestStore) -> Store {
    let settings = (*t.store.settings).clone();
    let db = janus_store::connect(&settings.database)
        .await
        .expect("connect");
    let hasher = SecretHasher::new(&settings.argon2, b"test pepper").unwrap();
    let templates =
        janus_store::templates::load(&templates_dir(), &settings.site.public_url).unwrap();
    Store::new(
        db,
        settings,
        t.clock.clone(),
        hasher,
        templates,
        janus_store::sealing::Sealer::new(b"test pepper"),
    )
}

/// A name for a new database on the PostgreSQL server of `DATABASE_URL`, created empty.
#[allow(dead_code)]
pub async fn fresh_postgres_database() -> Option<String> {
    on_postgres().then_some(())?;
    Some(database_url().await)
}
