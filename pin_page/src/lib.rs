//! The client PIN page's script. The page is rendered whole on the server and works as a
//! plain form; this small bundle (the rules crate and a few DOM calls, no Leptos) adds what
//! a script can: each box is judged as the client types with the very rules the server
//! applies, the button waits for an acceptable pair, and the digits can be shown.
//!
//! Why not the app's own bundle: that one carries every staff screen (about 500 KB
//! compressed), and this page is opened once, on a phone, often on a mobile network.

use std::rc::Rc;

use janus_domain::security::typing_problems;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, HtmlButtonElement, HtmlInputElement};

/// The elements the server renders (`app::pages::client_pin`), by id.
struct Form {
    pin: HtmlInputElement,
    confirm: HtmlInputElement,
    pin_problem: Element,
    confirm_problem: Element,
    form_problem: Element,
    submit: HtmlButtonElement,
    show: HtmlInputElement,
    /// What the server said about the last attempt (from the page address), shown until the
    /// client starts typing again.
    said: [Option<String>; 3],
}

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    // The *Setup complete* page and the unusable-link page have no form: nothing to do.
    if let Some(form_element) = document.get_element_by_id("pin-form") {
        let form = Rc::new(Form::find(&document)?);
        form.update();
        for input in [&form.pin, &form.confirm] {
            let f = form.clone();
            on(input, "input", move |_| f.update());
        }
        let f = form.clone();
        on(&form.show, "change", move |_| {
            f.show_digits(f.show.checked())
        });
        let f = form.clone();
        on(&form_element, "submit", move |event| f.submitting(event));
        if let Some(label) = document.get_element_by_id("show-digits-label") {
            label.remove_attribute("hidden")?;
        }
    }
    // End-to-end tests wait for this mark, as they do on the staff pages.
    if let Some(body) = document.body() {
        body.set_attribute("data-hydrated", "true")?;
    }
    Ok(())
}

impl Form {
    fn find(document: &Document) -> Result<Self, JsValue> {
        let element = |id: &str| {
            document
                .get_element_by_id(id)
                .ok_or_else(|| JsValue::from_str(&format!("#{id} is missing")))
        };
        let input = |id: &str| {
            element(id)?
                .dyn_into::<HtmlInputElement>()
                .map_err(|_| JsValue::from_str(id))
        };
        let [pin_problem, confirm_problem, form_problem] = [
            element("pin-problem")?,
            element("confirm-problem")?,
            element("form-problem")?,
        ];
        let said = [&pin_problem, &confirm_problem, &form_problem]
            .map(|e| e.text_content().filter(|t| !t.trim().is_empty()));
        Ok(Self {
            pin: input("pin")?,
            confirm: input("confirm")?,
            pin_problem,
            confirm_problem,
            form_problem,
            submit: element("pin-submit")?
                .dyn_into()
                .map_err(|_| JsValue::from_str("pin-submit"))?,
            show: input("show-digits")?,
            said,
        })
    }

    /// Judges both boxes and shows the outcome.
    fn update(&self) {
        let (pin, confirm) = (self.pin.value(), self.confirm.value());
        let live = typing_problems(&pin, &confirm);
        let untouched = pin.is_empty() && confirm.is_empty();
        let [said_pin, said_confirm, said_form] = self.said.clone();
        let shown = |live: Option<String>, said: Option<String>| {
            live.or_else(|| said.filter(|_| untouched))
        };
        show_problem(&self.pin, &self.pin_problem, shown(live.pin, said_pin));
        show_problem(
            &self.confirm,
            &self.confirm_problem,
            shown(live.confirm, said_confirm),
        );
        self.form_problem
            .set_text_content(said_form.filter(|_| untouched).as_deref());
        self.submit.set_disabled(!live.ready);
    }

    fn show_digits(&self, show: bool) {
        let kind = if show { "text" } else { "password" };
        self.pin.set_type(kind);
        self.confirm.set_type(kind);
    }

    /// Lets an acceptable pair go to the server (as a plain form post: the server answers
    /// with the *Setup complete* page), once; anything else stays here.
    fn submitting(&self, event: Event) {
        let ready = typing_problems(&self.pin.value(), &self.confirm.value()).ready;
        if !ready || self.submit.dataset().get("sending").is_some() {
            event.prevent_default();
            return;
        }
        let _ = self.submit.dataset().set("sending", "true");
        self.submit.set_text_content(Some("Saving…"));
    }
}

fn show_problem(input: &HtmlInputElement, slot: &Element, problem: Option<String>) {
    let _ = input.set_attribute(
        "aria-invalid",
        if problem.is_some() { "true" } else { "false" },
    );
    slot.set_text_content(problem.as_deref());
}

/// Listens for `kind` on `target` for the life of the page.
fn on(target: &impl AsRef<web_sys::EventTarget>, kind: &str, handler: impl Fn(Event) + 'static) {
    let closure = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target
        .as_ref()
        .add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    // The page never removes its listeners, so the closure lives as long as the page.
    closure.forget();
}
