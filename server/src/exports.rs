//! Downloads that are files rather than pages: the sign-in audit as CSV (admins). A plain
//! GET, so the browser saves it; it checks the session and role itself, as server
//! functions do.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use janus_domain::AppError;
use janus_domain::audit::SignInAuditFilter;
use janus_domain::staff::{Permission, require};
use janus_store::Store;

pub async fn sign_in_audit_csv(
    State(store): State<Store>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match csv_of(&store, &headers, &query).await {
        Ok(csv) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"sign-in-audit.csv\""),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            csv,
        )
            .into_response(),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}

async fn csv_of(
    store: &Store,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<String, AppError> {
    let token =
        app::session_cookie::read(&store.settings, headers).ok_or(AppError::Unauthenticated)?;
    let staff = store
        .session(&token)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .finished()?;
    require(&staff, Permission::ManageStaff)?;
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or("");
    janus_domain::limits::check_field_lengths(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let filter = SignInAuditFilter::parse(
        field("staff"),
        field("action"),
        field("outcome"),
        field("from"),
        field("to"),
    )?;
    let events = store.sign_in_audit(&staff, &filter).await?;
    janus_store::sign_in_audit::sign_in_audit_csv(&events)
}
