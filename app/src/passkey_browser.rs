//! The browser's half of a passkey ceremony: the server's options go to
//! `navigator.credentials` through WebAuthn's own JSON methods
//! (`PublicKeyCredential.parse…OptionsFromJSON`, `credential.toJSON()`), so no
//! WebAssembly binding of every WebAuthn type is needed and the bundle stays small.

/// Which ceremony: making a new credential, or using one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceremony {
    Create,
    Get,
}

/// Runs the ceremony with `options` (the JSON of `publicKey`) and returns the browser's
/// answer as JSON, or a sentence saying why there is none.
#[cfg(feature = "hydrate")]
async fn run(ceremony: Ceremony, options: &str) -> Result<String, String> {
    use js_sys::{Function, JSON, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let unsupported = || "This browser cannot use passkeys.".to_owned();
    let window = leptos::prelude::window();
    let class = Reflect::get(&window, &"PublicKeyCredential".into()).map_err(|_| unsupported())?;
    if class.is_undefined() {
        return Err(unsupported());
    }
    let (parser, method) = match ceremony {
        Ceremony::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremony::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let parse: Function = Reflect::get(&class, &parser.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let json = JSON::parse(options)
        .map_err(|_| "The server's passkey request was unreadable.".to_owned())?;
    let public_key = parse
        .call1(&class, &json)
        .map_err(|_| "The server's passkey request was refused by the browser.".to_owned())?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &public_key).map_err(|_| unsupported())?;
    let navigator = Reflect::get(&window, &"navigator".into()).map_err(|_| unsupported())?;
    let credentials = Reflect::get(&navigator, &"credentials".into()).map_err(|_| unsupported())?;
    let call: Function = Reflect::get(&credentials, &method.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let promise: Promise = call
        .call1(&credentials, &request)
        .map_err(|_| unsupported())?
        .dyn_into()
        .map_err(|_| unsupported())?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| {
            // NotAllowedError: the person cancelled, or the prompt timed out.
            let name = Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            match name.as_deref() {
                Some("NotAllowedError") => {
                    "The passkey prompt was cancelled or timed out.".to_owned()
                }
                Some("InvalidStateError") => "That passkey is already registered.".to_owned(),
                Some("SecurityError") => "Passkeys do not work at this address: open the site by its name (in development, at localhost rather than 127.0.0.1).".to_owned(),
                _ => "The passkey could not be used.".to_owned(),
            }
        })?;
    if credential.is_null() {
        return Err("No passkey was chosen.".to_owned());
    }
    let to_json: Function = Reflect::get(&credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let answer = to_json.call0(&credential).map_err(|_| unsupported())?;
    JSON::stringify(&answer)
        .map(String::from)
        .map_err(|_: JsValue| unsupported())
}

/// On the server there is no browser: nothing calls this there.
#[cfg(not(feature = "hydrate"))]
async fn run(_ceremony: Ceremony, _options: &str) -> Result<String, String> {
    Err("Passkeys work in the browser.".to_owned())
}

use janus_domain::AppError;

fn browser_refused(why: String) -> AppError {
    AppError::invalid("passkey", why)
}

/// "Sign in with a passkey": answers the page to go to.
pub async fn sign_in(next: String) -> Result<String, AppError> {
    use crate::api::passkeys::{begin_passkey_sign_in, finish_passkey_sign_in};
    let challenge = begin_passkey_sign_in().await?;
    let answer = run(Ceremony::Get, &challenge.options)
        .await
        .map_err(browser_refused)?;
    finish_passkey_sign_in(challenge.ceremony, answer, Some(next)).await
}

/// Shows one's passkey: the second step of signing in, or a step-up. Answers the page to
/// go to next.
pub async fn confirm(next: String) -> Result<String, AppError> {
    use crate::api::passkeys::{begin_passkey_check, finish_passkey_check};
    let challenge = begin_passkey_check().await?;
    let answer = run(Ceremony::Get, &challenge.options)
        .await
        .map_err(browser_refused)?;
    finish_passkey_check(challenge.ceremony, answer, Some(next)).await
}

/// Registers a new passkey named `name`.
pub async fn add(name: String) -> Result<(), AppError> {
    use crate::api::passkeys::{begin_passkey_registration, finish_passkey_registration};
    let challenge = begin_passkey_registration().await?;
    let answer = run(Ceremony::Create, &challenge.options)
        .await
        .map_err(browser_refused)?;
    finish_passkey_registration(challenge.ceremony, answer, name).await
}

/// Opens `path` as a fresh page load (signing in changes which pages the session opens).
pub fn go(path: &str) {
    #[cfg(feature = "hydrate")]
    let _ = leptos::prelude::window().location().set_href(path);
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
