//! The ⋮ options menu of a dashboard row, following the WAI-ARIA menu button pattern:
//! Enter, Space or ArrowDown open it and focus the first item; arrows move; Escape closes
//! it and returns focus to the button; Tab or a click elsewhere closes it.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

/// One entry of the menu: a page to go to, or something to do here.
#[derive(Clone)]
pub enum MenuItem {
    Link { label: String, href: String },
    Action { label: String, run: Callback<()> },
}

fn items_of(menu: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return vec![];
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

fn focus_item(menu: &web_sys::Element, pick: impl FnOnce(usize, Option<usize>) -> usize) {
    let items = items_of(menu);
    if items.is_empty() {
        return;
    }
    let active = document().active_element();
    let current = items
        .iter()
        .position(|i| active.as_ref().is_some_and(|a| a.is_same_node(Some(i))));
    let next = pick(items.len(), current) % items.len();
    let _ = items[next].focus();
}

#[component]
pub fn RowMenu(
    /// Names the row for screen readers: "Options for Lakeside Bakery".
    label: String,
    items: Vec<MenuItem>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();
    let menu_id = format!(
        "menu-{}",
        label
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );

    // The list is shown by the next render, so its first item can take focus only then.
    let open_menu = move || {
        open.set(true);
        request_animation_frame(move || {
            if let Some(m) = menu.get_untracked() {
                focus_item(&m, |_, _| 0);
            }
        });
    };

    let close_to_button = move || {
        open.set(false);
        if let Some(b) = button.get() {
            let _ = b.focus();
        }
    };
    let on_button_key = move |ev: KeyboardEvent| {
        if matches!(ev.key().as_str(), "ArrowDown" | "ArrowUp") {
            ev.prevent_default();
            open_menu();
        }
    };
    let on_menu_key = move |ev: KeyboardEvent| {
        let Some(m) = menu.get() else { return };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close_to_button();
            }
            "ArrowDown" => {
                ev.prevent_default();
                focus_item(&m, |_, cur| cur.map_or(0, |c| c + 1));
            }
            "ArrowUp" => {
                ev.prevent_default();
                focus_item(&m, |n, cur| cur.map_or(n - 1, |c| c + n - 1));
            }
            "Home" => {
                ev.prevent_default();
                focus_item(&m, |_, _| 0);
            }
            "End" => {
                ev.prevent_default();
                focus_item(&m, |n, _| n - 1);
            }
            "Tab" => open.set(false),
            _ => {}
        }
    };
    // Closing when focus leaves the whole widget covers clicks elsewhere too.
    let on_focus_out = move |ev: FocusEvent| {
        let container: Option<web_sys::Node> = ev.current_target().and_then(|t| t.dyn_into().ok());
        let to: Option<web_sys::Node> = ev.related_target().and_then(|t| t.dyn_into().ok());
        let inside = matches!((container, to), (Some(c), Some(t)) if c.contains(Some(&t)));
        if !inside {
            open.set(false);
        }
    };

    view! {
        <div class="row-menu" on:focusout=on_focus_out>
            <button
                type="button"
                class="row-menu-button"
                node_ref=button
                aria-haspopup="menu"
                aria-controls=menu_id.clone()
                aria-expanded=move || open.get().to_string()
                aria-label=format!("Options for {label}")
                on:click=move |_| if open.get_untracked() { open.set(false) } else { open_menu() }
                on:keydown=on_button_key
            >
                "⋮"
            </button>
            <ul
                id=menu_id
                role="menu"
                class="row-menu-list"
                node_ref=menu
                hidden=move || !open.get()
                on:keydown=on_menu_key
            >
                {items
                    .into_iter()
                    .map(|item| match item {
                        MenuItem::Link { label, href } => view! {
                            <li role="none">
                                <a role="menuitem" tabindex="-1" href=href>
                                    {label}
                                </a>
                            </li>
                        }
                        .into_any(),
                        MenuItem::Action { label, run } => view! {
                            <li role="none">
                                <button
                                    type="button"
                                    role="menuitem"
                                    tabindex="-1"
                                    on:click=move |_| {
                                        // Focus goes back to the ⋮ button first, so whatever
                                        // the action opens can return it there.
                                        close_to_button();
                                        run.run(());
                                    }
                                >
                                    {label}
                                </button>
                            </li>
                        }
                        .into_any(),
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
