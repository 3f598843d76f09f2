//! The client PIN page behind a setup or reset link: public, mobile first, branded for the
//! client's brand. With JavaScript the rules run as the client types (the same rules crate
//! the server uses); without it the form posts normally and the server answers with a
//! redirect: to *Setup complete*, or back here with the problem named in the address.

use janus_domain::AppError;
use janus_domain::dashboard::BrandView;
use janus_domain::pin::{PIN_LENGTH, check_new_pin};
use janus_domain::security::{LinkPurpose, SetupPage, SetupProblem, check_new_pin_pair};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::security::{CompletePinSetup, get_brand, get_setup_page};

/// The brand's frame around every client page.
#[component]
fn ClientFrame(brand: Option<BrandView>, children: Children) -> impl IntoView {
    let (name, color, phone) = match &brand {
        Some(b) => (
            b.name.clone(),
            b.color.clone(),
            Some(b.support_phone.clone()),
        ),
        None => ("Security PIN".to_owned(), "#3b5bdb".to_owned(), None),
    };
    view! {
        <div class="client-page" style=format!("--brand:{color}")>
            <header class="client-head">
                <p class="client-brand">{name}</p>
            </header>
            <main class="client-main">{children()}</main>
            {phone.map(|p| view! { <footer class="client-foot muted small">"Questions? Call support at " <a href=format!("tel:{}", p.replace(|c: char| !c.is_ascii_digit() && c != '+', ""))>{p.clone()}</a></footer> })}
        </div>
    }
}

#[component]
pub fn ClientPinPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let setup = Resource::new(token, get_setup_page);
    let problem = move || query.with(|q| q.get("problem"));
    view! {
        <Title text="Set your security PIN" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(page) => view! { <PinForm page token=token() problem=problem() /> }.into_any(),
                    Err(error) => view! { <LinkProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LinkProblem(error: AppError) -> impl IntoView {
    let text = match error {
        // Unknown, expired, used or replaced: one message, so links cannot be probed.
        AppError::LinkUnusable | AppError::NotFound(_) | AppError::PinNotApplicable => {
            AppError::LinkUnusable.to_string()
        }
        other => other.to_string(),
    };
    view! {
        <ClientFrame brand=None>
            <h1>"This link cannot be used"</h1>
            <p class="notice notice-error" role="alert" data-testid="link-problem">{text}</p>
        </ClientFrame>
    }
}

#[component]
fn PinForm(page: SetupPage, token: String, problem: Option<String>) -> impl IntoView {
    let action = ServerAction::<CompletePinSetup>::new();
    let pin = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let show = RwSignal::new(false);
    // Live checks and the show-digits switch need the script; before it runs (or without
    // it) the form is a plain form that the server checks.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let from_address = StoredValue::new(problem.map(|code| match SetupProblem::from_code(&code) {
        Some(p) => (p.field(), p.message()),
        None if code == "wait" => (
            "form",
            "Too many attempts. Please wait a few minutes and try again.".to_owned(),
        ),
        None => (
            "form",
            "We could not save your PIN just now. Please try again.".to_owned(),
        ),
    }));
    let still_typing = |s: &str| s.len() < PIN_LENGTH && s.bytes().all(|b| b.is_ascii_digit());
    let pin_problem = move || {
        let p = pin.get();
        if p.is_empty() || still_typing(&p) {
            return None;
        }
        check_new_pin(&p).err().map(|e| e.message())
    };
    let confirm_problem = move || {
        let c = confirm.get();
        if c.is_empty() || still_typing(&c) || pin_problem().is_some() {
            return None;
        }
        (c != pin.get()).then(|| SetupProblem::Mismatch.message())
    };
    let server_problem = move || match action.value().get() {
        Some(Err(AppError::InvalidInput { field, message })) => Some((field, message)),
        Some(Err(e)) => Some(("form".into(), e.to_string())),
        _ => None,
    };
    let message_for = move |field: &'static str| {
        move || {
            let live = match field {
                "pin" => pin_problem(),
                "confirm" => confirm_problem(),
                _ => None,
            };
            live.or_else(|| server_problem().filter(|(f, _)| f == field).map(|(_, m)| m))
                .or_else(|| {
                    // Shown until the client starts typing again.
                    (!hydrated.get() || (pin.get().is_empty() && confirm.get().is_empty()))
                        .then(|| from_address.get_value())
                        .flatten()
                        .filter(|(f, _)| *f == field)
                        .map(|(_, m)| m)
                })
        }
    };
    let ready = move || check_new_pin_pair(&pin.get(), &confirm.get()).is_ok();
    let done = move || action.value().get().and_then(Result::ok);
    let intro = match page.purpose {
        LinkPurpose::Setup => format!(
            "Hello {}. Choose a 6-digit security PIN for {}. Staff will ask you for it when you call, to make sure it is really you.",
            page.contact_name, page.business_name
        ),
        LinkPurpose::Reset => format!(
            "Hello {}. Your old PIN for {} no longer works. Choose a new 6-digit security PIN.",
            page.contact_name, page.business_name
        ),
    };
    let brand = page.brand.clone();
    let token = StoredValue::new(token);
    view! {
        <ClientFrame brand=Some(page.brand.clone())>
            <Show
                when=move || done().is_none()
                fallback=move || view! { <SetupComplete brand=brand.clone() purpose=page.purpose /> }
            >
                <h1>{match page.purpose { LinkPurpose::Setup => "Set your security PIN", LinkPurpose::Reset => "Choose a new security PIN" }}</h1>
                <p>{intro.clone()}</p>
                <ActionForm action attr:class="pin-form" attr:novalidate=true>
                    <input type="hidden" name="token" value=token.get_value() />
                    <DigitsField id="pin" label="New PIN" value=pin show autocomplete="new-password" problem=Signal::derive(message_for("pin")) />
                    <DigitsField id="confirm" label="Type it again" value=confirm show autocomplete="new-password" problem=Signal::derive(message_for("confirm")) />
                    <Show when=move || hydrated.get()>
                        <label class="show-digits">
                            <input type="checkbox" prop:checked=move || show.get() on:change=move |ev| show.set(event_target_checked(&ev)) />
                            " Show digits"
                        </label>
                    </Show>
                    <p class="field-problem" role="alert">{message_for("form")}</p>
                    <p class="muted small">"Avoid easy PINs such as 123456, 111111, 121212 or a date — they are refused."</p>
                    <button
                        type="submit"
                        class="button button-primary button-wide"
                        disabled=move || hydrated.get() && (!ready() || action.pending().get())
                    >
                        {move || if action.pending().get() { "Saving…" } else { "Save my PIN" }}
                    </button>
                </ActionForm>
            </Show>
        </ClientFrame>
    }
}

#[component]
fn DigitsField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    show: RwSignal<bool>,
    autocomplete: &'static str,
    problem: Signal<Option<String>>,
) -> impl IntoView {
    let problem_id = format!("{id}-problem");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                class="digits digits-large"
                type=move || if show.get() { "text" } else { "password" }
                inputmode="numeric"
                pattern="[0-9]*"
                maxlength="6"
                autocomplete=autocomplete
                required=true
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=problem_id.clone()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p id=problem_id class="field-problem" aria-live="polite" data-testid=format!("{id}-problem")>{move || problem.get()}</p>
        </div>
    }
}

#[component]
fn SetupComplete(brand: BrandView, purpose: LinkPurpose) -> impl IntoView {
    view! {
        <div class="setup-complete" data-testid="setup-complete">
            <h1>"Setup complete"</h1>
            <p role="status">
                {match purpose {
                    LinkPurpose::Setup => "Your security PIN is set.",
                    LinkPurpose::Reset => "Your new security PIN is set; the old one no longer works.",
                }}
            </p>
            <p>{format!("When you call {}, staff will ask for it. Keep it to yourself — we never ask for it by email or text message.", brand.name)}</p>
            <p class="muted small">"You can close this page."</p>
        </div>
    }
}

/// Where a plain form post lands after the PIN is saved.
#[component]
pub fn SetupCompletePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("brand")).unwrap_or_default();
    let purpose = move || {
        query
            .with(|q| q.get("purpose"))
            .and_then(|p| LinkPurpose::from_code(&p))
            .unwrap_or(LinkPurpose::Setup)
    };
    let brand = Resource::new(slug, get_brand);
    view! {
        <Title text="Setup complete" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let brand = brand.await.ok();
                let shown = brand.clone().unwrap_or(BrandView {
                    slug: String::new(),
                    name: "us".into(),
                    color: "#3b5bdb".into(),
                    support_phone: String::new(),
                });
                view! {
                    <ClientFrame brand>
                        <SetupComplete brand=shown purpose=purpose() />
                    </ClientFrame>
                }
            })}
        </Suspense>
    }
}
