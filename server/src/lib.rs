//! The server's pieces, as a library so the HTTP tests can build the same router `main` does.

pub mod assets;
pub mod delivery;
pub mod exports;
pub mod hardening;
pub mod live;
pub mod router;
pub mod settings;
pub mod shutdown;
pub mod unavailable;

use std::sync::Arc;

use janus_domain::settings::Settings;
use janus_store::{SecretHasher, Store, SystemClock};

use crate::settings::Secrets;

/// Opens (creating if needed) and migrates the database, and assembles the store.
pub async fn open_store(settings: Settings, secrets: &Secrets) -> Result<Store, String> {
    ensure_sqlite_folder(&settings.database.url)?;
    let db = janus_store::connect(&settings.database)
        .await
        .map_err(|e| format!("cannot open the database (setting `database.url`): {e}"))?;
    janus_store::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let templates = janus_store::templates::load(
        std::path::Path::new(&settings.messages.templates_dir),
        &settings.site.public_url,
    )?;
    let hasher = SecretHasher::new(&settings.argon2, &secrets.pepper)?;
    Ok(Store::new(
        db,
        settings,
        Arc::new(SystemClock),
        hasher,
        templates,
        secrets.sealer(),
    ))
}

/// SQLite creates the file but not its folder.
fn ensure_sqlite_folder(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("sqlite://") else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display())),
        _ => Ok(()),
    }
}
