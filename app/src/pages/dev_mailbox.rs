//! The development mailbox: every email and SMS the app "sent", newest first, with links
//! clickable, so the whole PIN flow can be walked on one machine. Its server function
//! answers 404 outside development mode.

use janus_domain::messages::Channel;
use janus_domain::messages::MailboxMessage;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::security::dev_mailbox;
use crate::components::ErrorNotice;

/// Text with every http(s) address turned into a link.
fn linkified(text: &str) -> Vec<AnyView> {
    text.split_inclusive(char::is_whitespace)
        .map(|piece| {
            let word = piece.trim_end();
            let gap = piece[word.len()..].to_owned();
            let word = word.trim_end_matches(['.', ',', ')']);
            let tail = piece.trim_end()[word.len()..].to_owned() + &gap;
            if word.starts_with("http://") || word.starts_with("https://") {
                // `external`: a full page load, so a client page opens as clients get it (its
                // own small bundle), not inside the staff app's router.
                view! { <a href=word.to_owned() rel="external">{word.to_owned()}</a>{tail} }
                    .into_any()
            } else {
                piece.to_owned().into_any()
            }
        })
        .collect()
}

#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let messages = Resource::new(|| (), |_| dev_mailbox());
    view! {
        <Title text="Dev mailbox" />
        <main class="page mailbox">
            <h1>"Development mailbox"</h1>
            <p class="muted">
                "Every email and SMS the app sends in development mode lands here instead of leaving the machine. Newest first; reload to see new ones."
            </p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match messages.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No messages yet."</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|m| view! { <Message m /> }).collect_view().into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Message(m: MailboxMessage) -> impl IntoView {
    let is_sms = m.channel == Channel::Sms;
    let status: &'static str = m.status.into();
    let channel: &'static str = m.channel.into();
    let title = if is_sms {
        format!("SMS to {}", m.recipient)
    } else {
        format!("Email to {}", m.recipient)
    };
    view! {
        <article class="mail" data-testid="mail" data-channel=channel data-recipient=m.recipient.clone()>
            <header>
                <span class=if is_sms { "chip chip-sms" } else { "chip chip-email" }>{m.channel.label()}</span>
                <strong>{title}</strong>
                <span class="muted small">{m.at.format(" · %b %-d, %H:%M:%S UTC").to_string()}</span>
                <span class=format!("chip chip-status status-{status}") data-testid="mail-status">{status}</span>
                {m.error.clone().map(|e| view! { <span class="small text-danger">{e}</span> })}
            </header>
            {(!m.subject.is_empty()).then(|| view! { <p class="mail-subject">{m.subject.clone()}</p> })}
            <p class="mail-text">{linkified(&m.text)}</p>
            {m.html.map(|html| view! {
                <details>
                    <summary>"HTML part"</summary>
                    // No scripts, no same-origin access: the part is shown, never run.
                    <iframe class="mail-html" sandbox="" srcdoc=html title=format!("HTML part of: {}", m.subject)></iframe>
                </details>
            })}
        </article>
    }
}
