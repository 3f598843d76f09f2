//! A client's lead card: business details, contacts with their roles, and the enrollment
//! workflow controls (Sync Employees, the Send to BEIA indicator).

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::contact::display_phone;
use janus_domain::dashboard::{BeiaState, LeadCard, SyncEmployeesState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::clients::{SendToBeia, SyncEmployees, get_lead_card};
use crate::components::{ErrorNotice, StaffShell};

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%b %-d, %Y %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[component]
pub fn LeadCardPage() -> impl IntoView {
    let params = use_params_map();
    let client_id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i32>().ok())
    });
    let sync = ServerAction::<SyncEmployees>::new();
    let beia = ServerAction::<SendToBeia>::new();
    let card = Resource::new(
        move || (client_id.get(), sync.version().get(), beia.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_lead_card(id).await,
                None => Err(AppError::NotFound("Client".into())),
            }
        },
    );
    view! {
        <StaffShell>
            <p class="breadcrumb"><A href="/">"← Enrollment Dashboard"</A></p>
            <Transition fallback=|| view! { <p class="muted">"Loading lead card…"</p> }>
                {move || Suspend::new(async move {
                    match card.await {
                        Ok(card) => view! { <CardView card sync beia /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </StaffShell>
    }
}

#[component]
fn CardView(
    card: LeadCard,
    sync: ServerAction<SyncEmployees>,
    beia: ServerAction<SendToBeia>,
) -> impl IntoView {
    let id = card.id;
    let action_error = move || {
        sync.value()
            .get()
            .and_then(Result::err)
            .or_else(|| beia.value().get().and_then(Result::err))
    };
    let synced = card.sync_employees == SyncEmployeesState::Synced;
    let sent = card.beia == BeiaState::Sent;
    view! {
        <Title text=card.business_name.clone() />
        <article class="lead-card" aria-labelledby="lead-card-title">
            <header class="lead-card-head" style=format!("--brand:{}", card.brand.color)>
                <div>
                    <p class="brand-tag">{card.brand.name.clone()}</p>
                    <h1 id="lead-card-title">{card.business_name.clone()}</h1>
                    <p class="muted">{card.legal_name.clone()}</p>
                </div>
                <div class="lead-card-actions" role="group" aria-label="Enrollment workflows">
                    <button
                        type="button"
                        class="button"
                        disabled=move || sync.pending().get()
                        on:click=move |_| {
                            sync.dispatch(SyncEmployees { client_id: id });
                        }
                    >
                        {move || if sync.pending().get() { "Syncing…" } else { "Sync Employees" }}
                    </button>
                    <span class=if sent { "indicator indicator-on" } else { "indicator" } data-testid="beia-indicator">
                        <span class="indicator-dot" aria-hidden="true"></span>
                        {if sent { "Sent to BEIA" } else { "Not sent to BEIA" }}
                    </span>
                    {(!sent).then(|| view! {
                        <button
                            type="button"
                            class="button"
                            disabled=move || beia.pending().get()
                            on:click=move |_| {
                                beia.dispatch(SendToBeia { client_id: id });
                            }
                        >
                            "Send to BEIA"
                        </button>
                    })}
                </div>
            </header>
            {move || action_error().map(|error| view! { <ErrorNotice error /> })}
            <section class="facts" aria-label="Business details">
                <dl>
                    <div><dt>"Stage"</dt><dd>{card.stage.label()}</dd></div>
                    <div><dt>"Address"</dt><dd>{card.address.clone()}</dd></div>
                    <div><dt>"Employees"</dt><dd>{card.employee_count}</dd></div>
                    <div><dt>"Brand support"</dt><dd>{card.brand.support_phone.clone()}</dd></div>
                    <div>
                        <dt>"Employees synced"</dt>
                        <dd>{if synced { when(card.last_synced_at) } else { "Never".into() }}</dd>
                    </div>
                    <div>
                        <dt>"Sent to BEIA"</dt>
                        <dd>{if sent { when(card.beia_sent_at) } else { "Not yet".into() }}</dd>
                    </div>
                </dl>
            </section>
            <section id="contacts" aria-labelledby="contacts-title">
                <h2 id="contacts-title">"Contacts"</h2>
                <div class="table-wrap">
                    <table class="contacts stacked">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Mobile"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {card
                                .contacts
                                .into_iter()
                                .map(|c| {
                                    let email_href = format!("mailto:{}", c.email);
                                    view! {
                                        <tr>
                                            <th scope="row">{c.name}</th>
                                            <td data-label="Role"><span class="role">{c.role.label()}</span></td>
                                            <td data-label="Email"><a href=email_href>{c.email}</a></td>
                                            <td data-label="Mobile">{c.mobile_phone.as_deref().map(display_phone).unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        </article>
    }
}
