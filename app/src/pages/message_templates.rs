//! *Message templates*: every email and SMS the PIN workflow sends, for each brand in
//! scope, filled in with sample data, so whoever edits `templates/messages/` sees the
//! result (after a restart) before any client does.

use janus_domain::messages::{MessagePreview, MessagePreviews};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::messages::get_message_previews;
use crate::components::{ErrorNotice, StaffShell};

#[component]
pub fn MessageTemplatesPage() -> impl IntoView {
    let query = use_query_map();
    let previews = Resource::new(move || query.with(|q| q.get("brand")), get_message_previews);
    view! {
        <Title text="Message templates" />
        <StaffShell>
            <h1>"Message templates"</h1>
            <p class="muted">
                "What clients receive, filled in with sample data (the link and code are not real). The words live in "
                <code>"templates/messages/"</code>
                ", one folder per message; edits show here after the server restarts."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match previews.await {
                        Ok(p) => view! { <Previews p /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </StaffShell>
    }
}

#[component]
fn Previews(p: MessagePreviews) -> impl IntoView {
    let current = p.brand.slug.clone();
    view! {
        <nav class="tabs" aria-label="Brand">
            {p.brands.into_iter().map(|b| {
                let selected = b.slug == current;
                // A plain link: the router's <A> marks every link to /messages as current,
                // whatever its query. The router still handles the click.
                view! {
                    <a href=format!("/messages?brand={}", b.slug) class="tab" aria-current=selected.then_some("page")>
                        {b.name}
                    </a>
                }
            }).collect_view()}
        </nav>
        <div class="previews" style=format!("--brand:{}", p.brand.color)>
            {p.messages.into_iter().map(|m| view! { <Preview m /> }).collect_view()}
        </div>
    }
}

#[component]
fn Preview(m: MessagePreview) -> impl IntoView {
    let heading_id = format!("preview-{}", m.folder);
    let folder = format!("templates/messages/{}/", m.folder);
    view! {
        <section class="mail preview" aria-labelledby=heading_id.clone() data-testid="preview" data-folder=m.folder.clone()>
            <header>
                <span class=if m.html.is_some() { "chip chip-email" } else { "chip chip-sms" }>
                    {if m.html.is_some() { "Email" } else { "SMS" }}
                </span>
                <h2 id=heading_id.clone()>{m.label.clone()}</h2>
                <code class="muted small">{folder}</code>
            </header>
            {(!m.subject.is_empty()).then(|| view! { <p class="mail-subject">{m.subject.clone()}</p> })}
            {match m.html {
                Some(html) => view! {
                    <div class="preview-parts">
                        <div>
                            <h3 class="small muted">"HTML part"</h3>
                            // No scripts, no same-origin access: the part is shown, never run.
                            <iframe class="mail-html" sandbox="" srcdoc=html title=format!("HTML part of the {}", m.label)></iframe>
                        </div>
                        <div>
                            <h3 class="small muted">"Plain-text part"</h3>
                            <pre class="mail-text">{m.text.clone()}</pre>
                        </div>
                    </div>
                }.into_any(),
                None => view! {
                    <pre class="mail-text sms-text">{m.text.clone()}</pre>
                    <p class="muted small">{format!("{} characters", m.text.chars().count())}</p>
                }.into_any(),
            }}
        </section>
    }
}
