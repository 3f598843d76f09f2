//! The Security PIN control of the lead card and the PIN column of the dashboard: red when
//! the client is not verified, green with the time left while they are, turning red by
//! itself when the countdown ends.

use janus_domain::dashboard::PinState;
use janus_domain::security::VerificationView;
use janus_domain::verification::format_countdown;
use leptos::prelude::*;

use super::Countdown;

/// The button names who is verified (`shown`, the verification that lasts longest), how,
/// by whom and for how long, in its label and, at full length, in its tooltip.
#[component]
pub fn SecurityPinButton(
    countdown: Countdown,
    shown: Signal<Option<VerificationView>>,
    on_open: Callback<()>,
) -> impl IntoView {
    let verified = move || countdown.is_verified().then(|| shown.get()).flatten();
    let tooltip = move || match verified() {
        Some(v) => format!(
            "Verified: {} · {} left",
            v.summary(),
            format_countdown(countdown.seconds_left())
        ),
        None => "Not verified: open to verify the caller".into(),
    };
    view! {
        <button
            type="button"
            class=move || if countdown.is_verified() { "button pin-button pin-green" } else { "button pin-button pin-red" }
            aria-haspopup="dialog"
            data-testid="security-pin-button"
            data-dialog-home=""
            data-verified=move || countdown.is_verified().to_string()
            title=tooltip
            on:click=move |_| on_open.run(())
        >
            <span class="pin-dot" aria-hidden="true"></span>
            "Security PIN"
            <span class="pin-button-state">
                {move || {
                    let left = countdown.seconds_left();
                    match verified() {
                        Some(v) if left > 0 => view! {
                            "Verified: " {v.summary()} " · "
                            <span role="timer">{format_countdown(left)}</span> " left"
                        }.into_any(),
                        None if left > 0 => view! {
                            "Verified · " <span role="timer">{format_countdown(left)}</span>
                        }.into_any(),
                        _ => "Not verified".into_any(),
                    }
                }}
            </span>
        </button>
    }
}

/// The PIN state and verification of one dashboard row.
#[component]
pub fn PinBadge(state: PinState, countdown: Countdown) -> impl IntoView {
    if !state.is_applicable() {
        return view! { <span class=state.css()>{state.label()}</span> }.into_any();
    }
    view! {
        <span class=state.css()>{state.label()}</span>
        " "
        <span
            class=move || if countdown.is_verified() { "verify-chip verify-on" } else { "verify-chip verify-off" }
            data-testid="row-verification"
        >
            {move || {
                let left = countdown.seconds_left();
                if left > 0 { format!("Verified {}", format_countdown(left)) } else { "Not verified".into() }
            }}
        </span>
    }
    .into_any()
}
