//! The verified window's live countdown. The server says how many seconds are left (its
//! clock is the truth); the browser counts them down against its own clock, so a throttled
//! background tab catches up instead of drifting, and the state flips to "not verified"
//! by itself at zero.

use leptos::prelude::*;

/// Milliseconds on the browser's clock; on the server, a fixed origin, so the rendered
/// page shows exactly the seconds the server computed.
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[derive(Clone, Copy)]
pub struct Countdown {
    deadline_ms: RwSignal<f64>,
    now_ms: RwSignal<f64>,
}

impl Countdown {
    /// Starts counting `seconds_left` down; the ticking stops when the owning view goes.
    pub fn new(seconds_left: i64) -> Self {
        let now = RwSignal::new(now_ms());
        let countdown = Self {
            deadline_ms: RwSignal::new(now.get_untracked() + seconds_left as f64 * 1000.0),
            now_ms: now,
        };
        #[cfg(feature = "hydrate")]
        {
            let tick = gloo_timers::callback::Interval::new(1_000, move || {
                now.try_set(js_sys::Date::now());
            });
            // Dropped with the view that made it, which cancels the interval.
            StoredValue::new_local(tick);
        }
        countdown
    }

    /// Restarts from what the server just said.
    pub fn reset(&self, seconds_left: i64) {
        let now = now_ms();
        self.now_ms.set(now);
        self.deadline_ms.set(now + seconds_left as f64 * 1000.0);
    }

    /// Whole seconds left (reactive); zero once the window has ended.
    pub fn seconds_left(&self) -> i64 {
        ((self.deadline_ms.get() - self.now_ms.get()) / 1000.0)
            .ceil()
            .max(0.0) as i64
    }

    pub fn is_verified(&self) -> bool {
        self.seconds_left() > 0
    }
}
