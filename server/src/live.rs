//! `GET /api/events`: one Server-Sent Events stream per staff browser tab, carrying the live
//! feed (`janus_store::live`) to the page, which reads afresh what an event concerns.
//!
//! The stream opens with a `resync` (whatever changed before it opened, or while a dropped
//! stream reconnected, is read afresh: nothing is missed), then forwards each client event.
//! It is authenticated by the session cookie like a server function, and it never counts
//! as the person's activity: an open tab does not hold off the idle timeout. The session
//! is checked again whenever one of the person's sessions ends and every
//! [`SESSION_RECHECK`]; once it no longer stands, the stream says `signed_out` and ends.
//! An `EventSource` coming back without a session is answered the same way (it cannot
//! read a 401); anything else without one gets the 401.
//! A server shutting down ends every stream, and the browser reconnects (to another server
//! behind the proxy, or to this one restarted).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use janus_domain::AppError;
use janus_domain::ids::StaffId;
use janus_domain::live::LiveEvent;
use janus_domain::staff::second_factor::SignInStep;
use janus_domain::staff::{Permission, require};
use janus_store::Store;
use janus_store::auth::SessionToken;
use tokio::sync::{broadcast, watch};

/// A comment line this often keeps proxies (nginx closes a quiet upstream after 60 s by
/// default) and the browser from taking an idle stream for a dead one.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often an open stream checks that its session still stands (an idle timeout or an
/// expiry ends a session without an event).
pub const SESSION_RECHECK: Duration = Duration::from_secs(30);
/// How soon the browser reconnects after a stream ends.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

pub async fn events(State(store): State<Store>, headers: HeaderMap) -> Response {
    match open(&store, &headers).await {
        Ok((token, staff)) => {
            let events = store.live.subscribe().await;
            let closing = store.live.closing();
            let watch = Watch {
                store,
                token,
                staff,
                events,
                closing,
                recheck: tokio::time::interval_at(
                    tokio::time::Instant::now() + SESSION_RECHECK,
                    SESSION_RECHECK,
                ),
                state: Progress::Greeting,
            };
            let mut response = Sse::new(stream(watch))
                .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
                .into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // nginx buffers upstream responses unless told otherwise; an event must not
            // wait in a buffer.
            headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
            response
        }
        // A browser's EventSource cannot read a refusal's status: it would only try again
        // and again. It is told `signed_out` instead, and its page goes to sign-in.
        Err(AppError::Unauthenticated | AppError::SignInUnfinished(_))
            if wants_event_stream(&headers) =>
        {
            let told = futures_util::stream::once(async {
                Ok::<_, Infallible>(Event::default().event("signed_out").data("{}"))
            });
            let mut response = Sse::new(told).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}

/// Whether the request is an `EventSource`'s, which always asks for `text/event-stream`.
fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// The signed-in staff member a stream is for: a finished sign-in whose role verifies
/// callers (every role does; the check says which authority the feed needs).
async fn open(store: &Store, headers: &HeaderMap) -> Result<(SessionToken, StaffId), AppError> {
    let token =
        app::session_cookie::read(&store.settings, headers).ok_or(AppError::Unauthenticated)?;
    let staff = store
        .session_in_background(&token)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .finished()?;
    require(&staff, Permission::VerifyCallers)?;
    Ok((token, staff.id))
}

enum Progress {
    Greeting,
    Forwarding,
    Finished,
}

struct Watch {
    store: Store,
    token: SessionToken,
    staff: StaffId,
    events: broadcast::Receiver<LiveEvent>,
    closing: watch::Receiver<bool>,
    recheck: tokio::time::Interval,
    state: Progress,
}

impl Watch {
    /// Whether the stream's session is still signed in. A database that cannot be asked
    /// now keeps the stream open: the next check asks again.
    async fn session_stands(&self) -> bool {
        match self.store.session_in_background(&self.token).await {
            Ok(Some(session)) => session.step == SignInStep::Done,
            Ok(None) => false,
            Err(_) => true,
        }
    }
}

fn stream(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(watch, |mut w| async move {
        let event = next_event(&mut w).await?;
        Some((Ok(event), w))
    })
}

async fn next_event(w: &mut Watch) -> Option<Event> {
    match w.state {
        Progress::Greeting => {
            w.state = Progress::Forwarding;
            return Some(message(&LiveEvent::Resync).retry(RECONNECT_AFTER));
        }
        Progress::Finished => return None,
        Progress::Forwarding => {}
    }
    loop {
        let recheck = tokio::select! {
            _ = w.closing.wait_for(|closing| *closing) => return None,
            _ = w.recheck.tick() => true,
            received = w.events.recv() => match received {
                Ok(LiveEvent::SessionsEnded { staff }) => staff == w.staff,
                Ok(event) => return Some(message(&event)),
                // This stream fell behind the feed: what it missed is read afresh.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(message(&LiveEvent::Resync));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        if recheck && !w.session_stands().await {
            w.state = Progress::Finished;
            return Some(Event::default().event("signed_out").data("{}"));
        }
    }
}

fn message(event: &LiveEvent) -> Event {
    // A `LiveEvent` always encodes; should it ever not, an empty message makes the page
    // read afresh, which is what a resync would do.
    Event::default().data(serde_json::to_string(event).unwrap_or_default())
}
