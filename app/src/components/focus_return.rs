//! Gives focus back to whatever opened a dialog once it closes (WAI-ARIA dialog pattern).
//! Browser elements cannot leave the browser's thread, so on the server this remembers
//! nothing: dialogs open and close only in the browser.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct FocusReturn {
    #[cfg(feature = "hydrate")]
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl FocusReturn {
    pub fn new() -> Self {
        Self {
            #[cfg(feature = "hydrate")]
            opener: StoredValue::new_local(None),
        }
    }

    /// Call just before the dialog opens.
    pub fn remember(&self) {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            self.opener.set_value(
                document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            );
        }
    }

    /// Call once the dialog has closed. If what opened it has gone meanwhile (a notice that
    /// the dialog made obsolete), focus goes to the page's `[data-dialog-home]` control.
    pub fn restore(&self) {
        #[cfg(feature = "hydrate")]
        {
            let opener = self.opener;
            // After the updates the closing caused have been drawn.
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                let target = opener
                    .get_value()
                    .filter(|el| el.is_connected())
                    .or_else(|| {
                        document()
                            .query_selector("[data-dialog-home]")
                            .ok()
                            .flatten()
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    });
                if let Some(el) = target {
                    let _ = el.focus();
                }
            });
        }
    }
}

impl Default for FocusReturn {
    fn default() -> Self {
        Self::new()
    }
}
