//! A yes/no question in a native modal `<dialog>`: focus moves in, Escape cancels, and
//! focus returns to what opened it.

use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let opener = super::FocusReturn::new();
    Effect::new(move |_| {
        let want_open = open.get();
        let Some(d) = dialog.get() else { return };
        if want_open && !d.open() {
            opener.remember();
            let _ = d.show_modal();
        } else if !want_open && d.open() {
            d.close();
        }
    });
    let confirmed = StoredValue::new(false);
    let on_close = move |_| {
        open.set(false);
        if confirmed.get_value() {
            confirmed.set_value(false);
            on_confirm.run(());
        } else {
            opener.restore();
        }
    };
    view! {
        <dialog node_ref=dialog class="modal modal-small" aria-labelledby="confirm-title" aria-describedby="confirm-message" on:close=on_close>
            <div class="modal-body">
                <h2 id="confirm-title">{move || title.get()}</h2>
                <p id="confirm-message">{move || message.get()}</p>
                <div class="modal-actions">
                    <button type="button" class="button button-primary" on:click=move |_| { confirmed.set_value(true); open.set(false) }>
                        {confirm_label}
                    </button>
                    <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </div>
        </dialog>
    }
}
