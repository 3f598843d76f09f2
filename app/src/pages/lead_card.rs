//! A client's lead card: business details, contacts with their roles, the enrollment
//! workflow controls (Security PIN, Sync Employees, the Send to BEIA indicator) and the
//! client's audit trail.

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::audit::AuditOutcome;
use janus_domain::dashboard::{BeiaState, LeadCard, SyncEmployeesState};
use janus_domain::ids::ClientId;
use janus_domain::live::ClientChange;
use janus_domain::security::VerificationView;
use janus_domain::verification::format_countdown;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::clients::{
    SendToBeia, SyncEmployees, get_client_audit, get_lead_card, watch_client_audit, watch_lead_card,
};
use crate::api::security::watch_security_status;
use crate::components::{
    ContactPurpose, ContactsSection, Countdown, ErrorNotice, LiveUpdates, ModalStep, Redraw,
    SecurityModal, SecurityPinButton, StaffShell, StageControl,
};

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
            .and_then(|id| id.parse::<ClientId>().ok())
    });
    let sync = ServerAction::<SyncEmployees>::new();
    let beia = ServerAction::<SendToBeia>::new();
    // The card is fetched again only after a workflow *succeeds*. A refusal (say, "verify
    // the caller first") leaves the card as it is: re-rendering it would replace the notice
    // and its "Open Security PIN" button under the user's pointer.
    let successes = RwSignal::new(0u32);
    Effect::new(move |_| {
        if sync.value().with(|v| matches!(v, Some(Ok(_)))) {
            successes.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if beia.value().with(|v| matches!(v, Some(Ok(_)))) {
            successes.update(|n| *n += 1);
        }
    });
    let card = Resource::new(
        move || (client_id.get(), successes.get()),
        |(id, _)| async move {
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
                        Ok(drawn) => view! { <CardView card=drawn sync beia reload=successes redrawn=card showing=client_id /> }.into_any(),
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
    /// Bumped to fetch the card again, after a change that redraws most of it.
    reload: RwSignal<u32>,
    /// The card as fetched: another's change heard on the live feed replaces it.
    redrawn: Resource<Result<LeadCard, AppError>>,
    /// The client the page's address names now.
    showing: Memo<Option<ClientId>>,
) -> impl IntoView {
    let id = card.id;
    let action_error = move || {
        sync.value()
            .get()
            .and_then(Result::err)
            .or_else(|| beia.value().get().and_then(Result::err))
    };
    let pin_workflow = card.pin_state.is_applicable();
    let audit = RwSignal::new(card.audit.clone());
    // Follows the modal, so the card behind it never shows a stale PIN state or verification.
    let pin_state = RwSignal::new(card.pin_state);
    let verifications = RwSignal::new(card.verifications.clone());
    let on_status = Callback::new(move |s: janus_domain::security::SecurityStatus| {
        pin_state.set(s.pin_state);
        verifications.set(s.current);
    });
    let countdown = Countdown::new(card.seconds_verified());
    let shown = Signal::derive(move || verifications.with(|v| v.first().cloned()));
    let needs = card.needs.clone();
    let guarded_needs = card.contact_change_needs.clone();
    let modal = RwSignal::new(None::<ModalStep>);
    let refresh_audit = Callback::new(move |()| {
        leptos::task::spawn_local(async move {
            if let Ok(entries) = get_client_audit(id).await {
                audit.set(entries);
            }
        });
    });
    let open_modal = Callback::new(move |()| modal.set(Some(ModalStep::Overview)));
    // Verifiers only check callers: the workflows are not theirs (the server refuses them).
    let me = use_context::<crate::components::staff_shell::SignedInStaff>();
    let read_only =
        move || !me.is_some_and(|me| me.may(janus_domain::staff::Permission::WorkEnrollments));
    // The enrollment gate's shortcut: straight to the contact picker of the link that
    // gives the client a PIN (a reset link once a PIN was ever set).
    let send_link = pin_workflow.then(|| {
        let purpose = if card.pin_state.offers_reset() {
            ContactPurpose::ResetPin
        } else {
            ContactPurpose::CreatePin
        };
        let label = if purpose == ContactPurpose::ResetPin {
            "Send reset link"
        } else {
            "Send setup link"
        };
        let open = Callback::new(move |()| modal.set(Some(ModalStep::PickContact(purpose))));
        (open, label)
    });
    // A stage move or a contact change redraws most of the card (the PIN tools, who is
    // verified, the contacts): it is fetched again whole.
    let on_moved = Callback::new(move |_| reload.update(|n| *n += 1));
    Effect::new(move |was_open: Option<bool>| {
        let is_open = modal.get().is_some();
        if was_open == Some(true) && !is_open {
            // Only what the modal changed is fetched again, so the card (and the focus
            // returned to it) stays in place.
            sync.clear();
            beia.clear();
            refresh_audit.run(());
        }
        is_open
    });
    // Another's change to this client, heard on the live feed: the activity list and the
    // status are read again, and a change that redraws most of the card (a stage, a
    // contact, a workflow, or a resync) fetches the card whole, once nobody is typing in
    // it. While the modal is open it reads the status itself and tells the card; a change
    // that redraws the card waits for the modal to close (`behind`).
    if let Some(live) = LiveUpdates::of_page() {
        let redraw = Redraw::new(
            ".lead-card input, .lead-card textarea, .lead-card select, .lead-card dialog[open]",
        );
        // Read again without counting as activity, and redrawn only if it draws differently
        // and the card is still as it was when it was asked for: the same client, no reload
        // of the person's own begun since, the modal closed (else once it closes) and
        // nobody typing in it (else once they are done).
        let drawn = StoredValue::new(card.clone());
        let behind = RwSignal::new(false);
        let whole = Callback::new(move |()| {
            let asked_reload = reload.get_untracked();
            leptos::task::spawn_local(async move {
                let Ok(fresh) = watch_lead_card(id).await else {
                    return;
                };
                let unchanged = showing.try_get_untracked() == Some(Some(id))
                    && reload.try_get_untracked() == Some(asked_reload);
                if !unchanged || drawn.try_with_value(|d| d.draws_like(&fresh)) != Some(false) {
                    return;
                }
                redraw.run(Callback::new(move |()| {
                    if modal.try_get_untracked() == Some(None) {
                        redrawn.try_set(Some(Ok(fresh.clone())));
                    } else {
                        behind.try_set(true);
                    }
                }));
            });
        });
        live.follow(move |news| {
            if !news.concerns(id) {
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(entries) = watch_client_audit(id).await {
                    audit.set(entries);
                }
            });
            let change = news.change();
            if change.is_some_and(ClientChange::only_activity) {
                return;
            }
            let redraws = change.is_none_or(ClientChange::redraws_lead_card);
            if modal.get_untracked().is_some() {
                if redraws {
                    behind.set(true);
                }
            } else if redraws {
                whole.run(());
            } else {
                leptos::task::spawn_local(async move {
                    if let Ok(s) = watch_security_status(id).await {
                        countdown.reset(s.seconds_verified());
                        // The card may be gone by the answer.
                        on_status.try_run(s);
                    }
                });
            }
        });
        Effect::new(move |_| {
            if modal.get().is_none() && behind.get_untracked() {
                behind.set(false);
                whole.run(());
            }
        });
    }
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
                    {pin_workflow.then(|| view! { <SecurityPinButton countdown shown on_open=open_modal /> })}
                    <button
                        type="button"
                        class="button"
                        hidden=read_only
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
                            hidden=read_only
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
            {pin_workflow.then(|| view! {
                <p class="muted small pin-state-line">
                    "Security PIN: " <span class=move || pin_state.get().css()>{move || pin_state.get().label()}</span>
                </p>
                <VerifiedPeople verifications countdown />
                <ul class="muted small authority-needs" data-testid="authority-needs">
                    {needs.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            })}
            {move || action_error().map(|error| {
                if matches!(error, AppError::VerificationRequired(_)) {
                    view! {
                        <div class="notice notice-warning" role="alert">
                            <p>{error.to_string()}</p>
                            <button type="button" class="button" on:click=move |_| open_modal.run(())>"Open Security PIN"</button>
                        </div>
                    }
                    .into_any()
                } else {
                    view! { <ErrorNotice error /> }.into_any()
                }
            })}
            <StageControl client_id=id stage=card.stage on_moved on_refused=refresh_audit send_link />
            <section class="facts" aria-label="Business details">
                <dl>
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
            <ContactsSection
                client_id=id
                contacts=card.contacts
                pin_workflow
                guarded_needs
                on_changed=on_moved
                open_modal
                on_refused=refresh_audit
            />
            <AuditList entries=audit />
            {pin_workflow.then(|| view! { <SecurityModal client_id=id open=modal countdown on_status /> })}
        </article>
    }
}

/// Who is verified now, each with the time left: the page's countdown follows the one that
/// lasts longest, and each other ends as many seconds before it as the server said.
#[component]
fn VerifiedPeople(
    verifications: RwSignal<Vec<VerificationView>>,
    countdown: Countdown,
) -> impl IntoView {
    let people = move || {
        verifications.with(|all| {
            let longest = all.first().map_or(0, |v| v.seconds_left);
            all.iter()
                .filter_map(|v| {
                    let left = countdown.seconds_left() - (longest - v.seconds_left);
                    (left > 0).then(|| format!("{} · {} left", v.summary(), format_countdown(left)))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        {move || {
            let people = people();
            (!people.is_empty()).then(|| view! {
                <ul class="verified-people" data-testid="verified-people" aria-label="Verified now">
                    {people.into_iter().map(|p| view! { <li>"Verified: " {p}</li> }).collect_view()}
                </ul>
            })
        }}
    }
}

#[component]
fn AuditList(entries: RwSignal<Vec<janus_domain::security::AuditView>>) -> impl IntoView {
    view! {
        <section id="activity" aria-labelledby="activity-title">
            <h2 id="activity-title">"Security and workflow activity"</h2>
            {move || { let entries = entries.get(); if entries.is_empty() {
                view! { <p class="muted">"Nothing recorded yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="audit stacked" data-testid="audit-list">
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Action"</th>
                                    <th scope="col">"Outcome"</th>
                                    <th scope="col">"Staff"</th>
                                    <th scope="col">"Contact"</th>
                                    <th scope="col">"Detail"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {entries.into_iter().map(|e| view! {
                                    <tr>
                                        <td data-label="When">{when(Some(e.at))}</td>
                                        <th scope="row" data-label="Action">{e.action.label()}</th>
                                        <td data-label="Outcome">
                                            <span class=if e.outcome == AuditOutcome::Success { "outcome outcome-ok" } else { "outcome outcome-fail" }>
                                                {if e.outcome == AuditOutcome::Success { "Success" } else { "Failed" }}
                                            </span>
                                        </td>
                                        <td data-label="Staff">{e.staff_name.unwrap_or_else(|| "—".into())}</td>
                                        <td data-label="Contact">{e.contact_name.unwrap_or_else(|| "—".into())}</td>
                                        <td data-label="Detail">{e.detail}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}}
        </section>
    }
}
