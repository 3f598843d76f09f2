//! The page's end of the live feed: one `EventSource` on `/api/events` per staff page
//! (opened by [`StaffShell`](super::StaffShell), closed with it), and what it heard, for
//! the parts of the page that follow a client's status to read afresh.
//!
//! The browser reconnects a dropped stream by itself; the server opens every stream with a
//! resync, so whatever changed meanwhile is read again. A stream the server refused (or
//! that a proxy broke) is opened again here, a few seconds later. A stream that says
//! `signed_out` is closed for good and the page goes to sign-in.

use janus_domain::ids::ClientId;
use janus_domain::live::{ClientChange, LiveEvent};
use leptos::prelude::*;

/// The last thing the feed said: a change to one client, or a resync (`about: None`),
/// which concerns everything on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Heard {
    /// Counts events, so two alike in a row are two.
    pub seq: u64,
    pub about: Option<(ClientId, ClientChange)>,
}

impl Heard {
    /// Whether a page part showing `client` reads afresh.
    pub fn concerns(self, client: ClientId) -> bool {
        janus_domain::live::concerns(self.about.map(|(c, _)| c), client)
    }

    pub fn change(self) -> Option<ClientChange> {
        self.about.map(|(_, change)| change)
    }
}

/// Whether the stream is open now, for the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // set by the browser's stream
    Reconnecting,
}

/// Shared through the context by the staff shell.
#[derive(Clone, Copy)]
pub struct LiveUpdates {
    heard: RwSignal<Heard>,
    link: RwSignal<Link>,
}

impl LiveUpdates {
    /// Calls `on` with each event after the page part was made, from an effect of its own
    /// (so it is dropped with the part). A part made after the stream's opening resync (a
    /// page reached by a link, whose data was fetched while the stream opened) is also
    /// called once at once with a resync: what it read may be older than the stream.
    pub fn follow(self, on: impl Fn(Heard) + 'static) {
        let heard = self.heard;
        Effect::new(move |seen: Option<u64>| {
            let now = heard.get();
            match seen {
                Some(seen) if seen != now.seq => on(now),
                None if now.seq > 0 => on(Heard {
                    seq: now.seq,
                    about: None,
                }),
                _ => {}
            }
            now.seq
        });
    }

    /// The live feed of this page, when it has one: for what the staff shell holds (a
    /// page's own component body runs before its shell, and finds none).
    pub fn of_page() -> Option<Self> {
        use_context::<Self>()
    }
}

impl LiveUpdates {
    /// Opens the page's stream (in the browser) and provides it to everything the calling
    /// component holds; the stream closes with that component.
    pub fn open_for_page() -> Self {
        let live = Self {
            heard: RwSignal::new(Heard::default()),
            link: RwSignal::new(Link::Connecting),
        };
        provide_context(live);
        #[cfg(feature = "hydrate")]
        browser::open(live);
        live
    }
}

/// A redraw the live feed asks for, held back while the person is in the middle of
/// something it would undo: focus inside `busy_within` (an open menu, a form being
/// filled in). It runs as soon as they are not, looked for each second; several asked
/// for meanwhile are one.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // read in the browser only
pub struct Redraw {
    waiting: StoredValue<bool>,
    busy_within: &'static str,
}

impl Redraw {
    /// `busy_within` is a CSS selector.
    pub fn new(busy_within: &'static str) -> Self {
        Self {
            waiting: StoredValue::new(false),
            busy_within,
        }
    }

    pub fn run(self, redraw: Callback<()>) {
        #[cfg(feature = "hydrate")]
        {
            /// How often a held-back redraw looks whether the person is done.
            const RETRY_MS: u32 = 1_000;
            let Some(waiting) = self.waiting.try_get_value() else {
                return; // the page part is gone
            };
            if !focus_within(self.busy_within) {
                self.waiting.set_value(false);
                redraw.try_run(());
            } else if !waiting {
                self.waiting.set_value(true);
                gloo_timers::callback::Timeout::new(RETRY_MS, move || {
                    if self.waiting.try_set_value(false).is_none() {
                        self.run(redraw);
                    }
                })
                .forget();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, redraw);
    }
}

/// Whether the focused element is inside something matching `selector`.
#[cfg(feature = "hydrate")]
fn focus_within(selector: &str) -> bool {
    document()
        .active_element()
        .and_then(|active| active.closest(selector).ok().flatten())
        .is_some()
}

/// Whether the page's stream is live, for the top bar.
#[component]
pub fn LiveStatus(live: LiveUpdates) -> impl IntoView {
    let label = move || match live.link.get() {
        Link::Connecting => "Connecting…",
        Link::Live => "Live",
        Link::Reconnecting => "Reconnecting…",
    };
    view! {
        <span
            class=move || if live.link.get() == Link::Live { "live-status live-on" } else { "live-status" }
            data-testid="live-status"
            title="Changes by anyone show here as they happen"
        >
            <span class="live-dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}

/// What one message from the server means; anything not understood is a resync (read
/// everything afresh), which is never wrong.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // the browser's stream reads it
pub fn heard_from(data: &str, seq: u64) -> Heard {
    let about = match serde_json::from_str::<LiveEvent>(data) {
        Ok(LiveEvent::Client { client, change, .. }) => Some((client, change)),
        _ => None,
    };
    Heard { seq, about }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::{Link, LiveUpdates, heard_from};

    /// How long after the stream was refused (or broken beyond the browser's own retry)
    /// it is opened again. (A session that ended is not retried: the server answers an
    /// event stream without a session with `signed_out`.)
    const REOPEN_MS: u32 = 3_000;

    /// How long a page told `signed_out` waits for a navigation of its own (its sign-out).
    const SIGNED_OUT_GRACE_MS: u32 = 1_500;

    fn go_to_sign_in() {
        let here = window().location();
        let next = format!(
            "{}{}",
            here.pathname().unwrap_or_default(),
            here.search().unwrap_or_default()
        );
        let _ = here.set_href(&format!(
            "/login?next={}",
            janus_domain::url::encode_query_value(&next)
        ));
    }

    pub(super) fn open(live: LiveUpdates) {
        let current = StoredValue::new_local(None::<Stream>);
        let connect = StoredValue::new_local(None::<std::rc::Rc<dyn Fn()>>);
        let start: std::rc::Rc<dyn Fn()> = std::rc::Rc::new(move || {
            if let Some(stream) = Stream::open(live, connect) {
                current.set_value(Some(stream));
            }
        });
        connect.set_value(Some(start.clone()));
        start();
        on_cleanup(move || {
            connect.set_value(None);
            current.set_value(None);
        });
    }

    /// An open `EventSource` and its handlers; closed when dropped.
    struct Stream {
        source: EventSource,
        _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    impl Stream {
        fn open(
            live: LiveUpdates,
            connect: StoredValue<Option<std::rc::Rc<dyn Fn()>>, LocalStorage>,
        ) -> Option<Self> {
            let source = EventSource::new("/api/events").ok()?;
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                live.link.set(Link::Live);
            });
            let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let Some(data) = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                live.heard
                    .update(|h| *h = heard_from(&data, h.seq.wrapping_add(1)));
            });
            let closing = source.clone();
            let on_signed_out = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                // No reconnecting meanwhile: the session is gone.
                closing.close();
                // Signing out here ends the session too, and the page is already on its way
                // to sign-in: the stream sends the page there only if, a moment later, it is
                // still showing (the session ended elsewhere, or ran out).
                let still_here = move || {
                    if connect.try_get_value().flatten().is_some() {
                        connect.set_value(None);
                        go_to_sign_in();
                    }
                };
                gloo_timers::callback::Timeout::new(SIGNED_OUT_GRACE_MS, still_here).forget();
            });
            let errored = source.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                live.link.set(Link::Reconnecting);
                // CLOSED: the browser gave up (a refusal, not a dropped stream), so the
                // page opens a new one itself.
                if errored.ready_state() == EventSource::CLOSED {
                    let again = gloo_timers::callback::Timeout::new(REOPEN_MS, move || {
                        // The page may have gone meanwhile, and its shell with it.
                        if let Some(connect) = connect.try_get_value().flatten() {
                            connect();
                        }
                    });
                    again.forget();
                }
            });
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let _ = source.add_event_listener_with_callback(
                "signed_out",
                on_signed_out.as_ref().unchecked_ref(),
            );
            Some(Self {
                source,
                _handlers: vec![on_open, on_message, on_signed_out, on_error],
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_client_and_anything_else_is_a_resync() {
        let heard = heard_from(
            r#"{"type":"client","client":7,"change":"pin_set","at":"2026-12-03T09:30:00Z"}"#,
            3,
        );
        assert_eq!(heard.about, Some((ClientId(7), ClientChange::PinSet)));
        assert!(heard.concerns(ClientId(7)));
        assert!(!heard.concerns(ClientId(8)));
        for resync in [r#"{"type":"resync"}"#, "", "not json", r#"{"type":"new"}"#] {
            let heard = heard_from(resync, 4);
            assert_eq!(heard.about, None, "{resync}");
            assert!(heard.concerns(ClientId(8)));
        }
    }
}
