//! The client PIN page behind a setup or reset link: public, mobile first, branded for the
//! client's brand. The form always posts normally and the server answers with a redirect:
//! to *Setup complete*, or back here with the problem named in the address. These pages do
//! not load the app's WebAssembly: their own small script (the `pin_page` crate) runs the
//! rules crate as the client types (see `crate::page_scripts`).

use janus_domain::AppError;
use janus_domain::dashboard::BrandView;
use janus_domain::pin::PIN_LENGTH;
use janus_domain::security::{FormProblem, LinkPurpose, SetupPage, SetupProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

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
    // A Resource, not the server function awaited inside `Suspend`: the view may be built
    // more than once, and a dropped future would cancel its query half way (and count a
    // page view twice against the throttle). Its copy of the data for a hydration that
    // never comes costs a few hundred bytes.
    let setup = Resource::new(token, get_setup_page);
    let search = use_location().search;
    // What the server said about the last plain form post, named in the address; a name
    // it does not know still says that the PIN was not saved.
    let problem = move || {
        query.with(|q| q.get("problem")).map(|_| {
            SetupProblem::from_query(&search.get())
                .unwrap_or(SetupProblem::Form(FormProblem::Retry))
        })
    };
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
        AppError::LinkUnusable | AppError::NotFound(_) | AppError::PinNotApplicable { .. } => {
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

/// The form, rendered whole on the server. It works as a plain form post; the page's own
/// small script (`pin_page`, not the app's bundle) adds the checks as the client types and
/// finds its elements by these ids.
#[component]
fn PinForm(page: SetupPage, token: String, problem: Option<SetupProblem>) -> impl IntoView {
    let said = problem.map(|p| (p.field(), p.message()));
    let said_for = |field: &str| {
        said.as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
    };
    let (said_pin, said_confirm, said_form) =
        (said_for("pin"), said_for("confirm"), said_for("form"));
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
    view! {
        <ClientFrame brand=Some(page.brand.clone())>
            <h1>{match page.purpose { LinkPurpose::Setup => "Set your security PIN", LinkPurpose::Reset => "Choose a new security PIN" }}</h1>
            <p>{intro}</p>
            <form id="pin-form" class="pin-form" method="post" action=complete_pin_setup_path() novalidate=true>
                <input type="hidden" name="token" value=token />
                <DigitsField id="pin" label="New PIN" problem=said_pin />
                <DigitsField id="confirm" label="Type it again" problem=said_confirm />
                // Shown by the script: without it the digits cannot be revealed.
                <label class="show-digits" id="show-digits-label" hidden>
                    <input type="checkbox" id="show-digits" />
                    " Show digits"
                </label>
                <p id="form-problem" class="field-problem" role="alert">{said_form}</p>
                <p class="muted small">"Avoid easy PINs such as 123456, 111111, 121212 or a date — they are refused."</p>
                <ProveItsUsAdvice brand=page.brand.name.clone() />
                <button id="pin-submit" type="submit" class="button button-primary button-wide">
                    "Save my PIN"
                </button>
            </form>
        </ClientFrame>
    }
}

#[component]
fn DigitsField(id: &'static str, label: &'static str, problem: Option<String>) -> impl IntoView {
    let problem_id = format!("{id}-problem");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                class="digits digits-large"
                type="password"
                inputmode="numeric"
                pattern="[0-9]*"
                maxlength=PIN_LENGTH.to_string()
                autocomplete="new-password"
                required=true
                aria-invalid=problem.is_some().to_string()
                aria-describedby=problem_id.clone()
            />
            <p id=problem_id class="field-problem" aria-live="polite" data-testid=format!("{id}-problem")>{problem}</p>
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
            <ProveItsUsAdvice brand=brand.name.clone() />
            <p class="muted small">"You can close this page."</p>
        </div>
    }
}

/// Asking for a PIN is what a fraudster posing as us would do too: the client should first
/// have the caller prove they are from us.
#[component]
fn ProveItsUsAdvice(brand: String) -> impl IntoView {
    view! {
        <p class="notice notice-warning" data-testid="prove-its-us-advice">
            {format!("Before you tell a caller your PIN, ask them to prove they are from {brand}: they will send you three words by email and text message and read the same words to you. Never give your PIN to a caller who cannot do this.")}
        </p>
    }
}

/// Where a plain form post lands after the PIN is saved.
#[component]
pub fn SetupCompletePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("brand")).unwrap_or_default();
    let brand = Resource::new(slug, get_brand);
    let purpose = move || {
        query
            .with(|q| q.get("purpose"))
            .and_then(|p| p.parse::<LinkPurpose>().ok())
            .unwrap_or(LinkPurpose::Setup)
    };
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

/// Where the form posts: the server function's own address, so the two cannot drift apart.
fn complete_pin_setup_path() -> &'static str {
    <CompletePinSetup as leptos::server_fn::ServerFn>::PATH
}
