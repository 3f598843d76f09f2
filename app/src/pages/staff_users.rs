//! *Staff users* (admins only): every staff account with its role, status, second factors
//! and open sessions; adding an account; deactivating (which signs it out everywhere at
//! once), reactivating, changing roles, issuing a new first password or clearing a lost
//! second factor; ending anyone's sessions; and the sign-in audit. Each change asks for a
//! fresh second factor (step-up) and then runs again by itself.

use janus_domain::staff::{StaffChange, StaffMember, StaffRole, StaffView, staff_changes_offered};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use strum::IntoEnumIterator;

use crate::api::account::{EndSession, list_sessions};
use crate::api::auth::current_staff;
use crate::api::staff::{AddStaff, ChangeStaff, ResetStaffPassword, list_staff, sign_in_audit};
use crate::components::{ErrorNotice, StaffShell};
use crate::pages::account::SessionsTable;

/// A callback that dispatches `action`'s last input again: what a step-up runs once the
/// admin has confirmed it is them.
fn again<S>(action: ServerAction<S>) -> Callback<()>
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let last = StoredValue::new(None::<S>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            last.set_value(Some(input));
        }
    });
    Callback::new(move |()| {
        if let Some(input) = last.get_value() {
            action.dispatch(input);
        }
    })
}

#[component]
pub fn StaffUsersPage() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let change = ServerAction::<ChangeStaff>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let end = ServerAction::<EndSession>::new();
    let showing = RwSignal::new(None::<(janus_domain::ids::StaffId, String)>);
    let staff = Resource::new(
        move || {
            (
                add.version().get(),
                change.version().get(),
                reset.version().get(),
                end.version().get(),
            )
        },
        |_| list_staff(),
    );
    let me = Resource::new(|| (), |_| current_staff());
    view! {
        <Title text="Staff users" />
        <StaffShell>
            <h1>"Staff users"</h1>
            <p class="muted">
                "Verifiers check callers by PIN or code and use Prove it's us, nothing else. "
                "Agents also send setup links and work the enrollment. Admins do all that and manage staff users. "
                "Deactivating an account signs it out everywhere at once; it can be reactivated later."
            </p>
            <ChangeOutcome change />
            <IssuedPasswordNotice reset />
            <Transition fallback=|| view! { <p class="muted">"Loading staff users…"</p> }>
                {move || Suspend::new(async move {
                    match (me.await, staff.await) {
                        (Ok(me), Ok(list)) => view! {
                            <StaffTable list=list.clone() me change reset showing />
                            <MemberSessions showing end />
                            <AddStaffForm add />
                            <SignInAudit list />
                        }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </StaffShell>
    }
}

/// What the last row action did, or why it was refused.
#[component]
fn ChangeOutcome(change: ServerAction<ChangeStaff>) -> impl IntoView {
    let retry = again(change);
    let asked = RwSignal::new(None::<StaffChange>);
    Effect::new(move |_| {
        if let Some(input) = change.input().get() {
            asked.set(Some(input.change));
        }
    });
    move || {
        change.value().get().map(|result| match result {
            Ok(m) => {
                let text = if asked.get() == Some(StaffChange::ResetSecondFactor) {
                    format!(
                        "{}'s passkeys, authenticator app and recovery codes are removed, and their sessions ended.",
                        m.name
                    )
                } else if !m.active {
                    format!("{} is deactivated and signed out everywhere.", m.name)
                } else {
                    format!("{} is an active {}.", m.name, m.role.label().to_lowercase())
                };
                view! { <div class="notice notice-success" role="status">{text}</div> }.into_any()
            }
            Err(error) => view! { <ErrorNotice error retry /> }.into_any(),
        })
    }
}

/// The first password just issued, shown this once for the admin to hand over.
#[component]
fn IssuedPasswordNotice(reset: ServerAction<ResetStaffPassword>) -> impl IntoView {
    let retry = again(reset);
    move || {
        reset.value().get().map(|result| match result {
            Ok(issued) => view! {
                <div class="notice notice-success" role="status" data-testid="issued-password">
                    <p>{format!("{} has a new first password. Their sessions have ended; they choose their own at their next sign-in.", issued.member.name)}</p>
                    <p>"Hand it over in person or read it out on a call you placed, never by email: " <code class="issued-password">{issued.password}</code></p>
                </div>
            }.into_any(),
            Err(error) => view! { <ErrorNotice error retry /> }.into_any(),
        })
    }
}

#[component]
fn StaffTable(
    list: Vec<StaffMember>,
    me: StaffView,
    change: ServerAction<ChangeStaff>,
    reset: ServerAction<ResetStaffPassword>,
    showing: RwSignal<Option<(janus_domain::ids::StaffId, String)>>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="staff-users stacked" data-testid="staff-users">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Sign-in"</th>
                        <th scope="col">"Added"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|m| {
                        let me = me.clone();
                        view! { <StaffRow m me change reset showing /> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StaffRow(
    m: StaffMember,
    me: StaffView,
    change: ServerAction<ChangeStaff>,
    reset: ServerAction<ResetStaffPassword>,
    showing: RwSignal<Option<(janus_domain::ids::StaffId, String)>>,
) -> impl IntoView {
    let mut sign_in = Vec::new();
    if m.factors.passkeys > 0 {
        sign_in.push(match m.factors.passkeys {
            1 => "1 passkey".to_owned(),
            n => format!("{n} passkeys"),
        });
    }
    if m.factors.authenticator_app {
        sign_in.push("Authenticator app".to_owned());
    }
    if sign_in.is_empty() {
        sign_in.push("Password only".to_owned());
    }
    if m.must_change_password {
        sign_in.push("must choose a password".to_owned());
    }
    let sign_in = sign_in.join(" · ");
    let status = if m.active {
        match m.open_sessions {
            0 => "Active".to_owned(),
            1 => "Active · signed in".to_owned(),
            n => format!("Active · {n} sessions"),
        }
    } else {
        "Deactivated".to_owned()
    };
    let status_class = if m.active {
        "pin-state pin-set"
    } else {
        "pin-state pin-none"
    };
    let is_me = me.id == m.id;
    let changes = staff_changes_offered(&me, &m);
    let id = m.id;
    let name = m.name.clone();
    view! {
        <tr data-testid="staff-row" data-email=m.email.clone()>
            <th scope="row" data-label="Name">
                {m.name.clone()}
                {is_me.then(|| view! { " " <span class="role">"You"</span> })}
            </th>
            <td data-label="Email">{m.email.clone()}</td>
            <td data-label="Role">{m.role.label()}</td>
            <td data-label="Status"><span class=status_class>{status}</span></td>
            <td data-label="Sign-in" data-testid="sign-in-factors">{sign_in}</td>
            <td data-label="Added">{m.created_at.format("%b %-d, %Y").to_string()}</td>
            <td class="staff-actions">
                <div>
                {changes.into_iter().map(|c| {
                    let label = format!("{} {}", c.label(), name);
                    let value: &'static str = c.into();
                    view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string() />
                            <input type="hidden" name="change" value=value />
                            <button
                                type="submit"
                                class=if c == StaffChange::Deactivate { "button button-small button-danger" } else { "button button-small" }
                                aria-label=label
                                disabled=move || change.pending().get()
                            >
                                {c.label()}
                            </button>
                        </ActionForm>
                    }
                }).collect_view()}
                {(!is_me).then(|| view! {
                    <ActionForm action=reset attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="button button-small" aria-label=format!("Reset password of {name}")
                            disabled=move || reset.pending().get()>
                            "Reset password"
                        </button>
                    </ActionForm>
                })}
                {(m.open_sessions > 0).then(|| {
                    let who = m.name.clone();
                    view! {
                        <button type="button" class="button button-small button-quiet"
                            on:click=move |_| showing.set(Some((id, who.clone())))>
                            "Sessions"
                        </button>
                    }
                })}
                {is_me.then(|| view! {
                    <span class="muted small">"Another admin can change your account."</span>
                })}
                </div>
            </td>
        </tr>
    }
}

#[component]
fn AddStaffForm(add: ServerAction<AddStaff>) -> impl IntoView {
    let retry = again(add);
    let form = NodeRef::<html::Form>::new();
    // Clear the fields once the account exists, so its password does not linger on screen.
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_))))
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    let outcome = move || {
        add.value().get().map(|result| match result {
            Ok(m) => view! {
                <div class="notice notice-success" role="status">
                    {format!("{} ({}) can now sign in as {}, and will choose their own password first.", m.name, m.email, m.role.label().to_lowercase())}
                </div>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error retry /> }.into_any(),
        })
    };
    view! {
        <section class="add-staff" aria-labelledby="add-staff-title">
            <h2 id="add-staff-title">"Add a staff user"</h2>
            <ActionForm action=add node_ref=form attr:class="add-staff-form" attr:novalidate="">
                <label>
                    "Name"
                    <input type="text" name="name" autocomplete="off" required maxlength="100" />
                </label>
                <label>
                    "Work email"
                    <input type="email" name="email" autocomplete="off" required />
                </label>
                <label>
                    "Role"
                    <select name="role">
                        {StaffRole::iter().map(|role| {
                            let value: &'static str = role.into();
                            view! { <option value=value selected=role == StaffRole::Agent>{role.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "First password"
                    <input type="password" name="password" autocomplete="new-password" required minlength="12" />
                    <span class="muted small">"At least 12 characters, hard to guess, not their name. Hand it over in person, never by email; they choose their own at their first sign-in."</span>
                </label>
                <div class="add-staff-submit">
                    <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                        {move || if add.pending().get() { "Adding…" } else { "Add staff user" }}
                    </button>
                </div>
            </ActionForm>
            {outcome}
        </section>
    }
}

/// The open sessions of the staff member whose *Sessions* was pressed, each with *End*.
#[component]
fn MemberSessions(
    showing: RwSignal<Option<(janus_domain::ids::StaffId, String)>>,
    end: ServerAction<EndSession>,
) -> impl IntoView {
    let retry = again(end);
    let sessions = Resource::new(
        move || (showing.get(), end.version().get()),
        |(who, _)| async move {
            match who {
                Some((id, _)) => list_sessions(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        {move || end.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error retry /> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let who = showing.get_untracked();
                match (who, sessions.await) {
                    (Some((id, name)), Ok(Some(list))) => view! {
                        <section class="member-sessions" aria-labelledby="member-sessions-title">
                            <h2 id="member-sessions-title">{format!("Where {name} is signed in")}</h2>
                            <SessionsTable list end whose=id />
                        </section>
                    }.into_any(),
                    (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

/// Sign-ins, failures, lockouts, second factors, passwords and sessions, filtered, with a
/// CSV of the same lines.
#[component]
fn SignInAudit(list: Vec<StaffMember>) -> impl IntoView {
    use janus_domain::audit::{AuditAction, AuditOutcome};
    let staff = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let events = Resource::new(
        move || {
            (
                staff.get(),
                action.get(),
                outcome.get(),
                from.get(),
                to.get(),
            )
        },
        |(staff, action, outcome, from, to)| sign_in_audit(staff, action, outcome, from, to),
    );
    let csv_href = move || {
        format!(
            "/api/sign-in-audit.csv?staff={}&action={}&outcome={}&from={}&to={}",
            janus_domain::url::encode_query_value(&staff.get()),
            janus_domain::url::encode_query_value(&action.get()),
            janus_domain::url::encode_query_value(&outcome.get()),
            janus_domain::url::encode_query_value(&from.get()),
            janus_domain::url::encode_query_value(&to.get()),
        )
    };
    let choose = |signal: RwSignal<String>| move |ev| signal.set(event_target_value(&ev));
    view! {
        <section class="sign-in-audit" aria-labelledby="sign-in-audit-title">
            <h2 id="sign-in-audit-title">"Sign-in audit"</h2>
            <form class="audit-filter" on:submit=|ev| ev.prevent_default()>
                <label>"Staff user"
                    <select name="staff" on:change=choose(staff)>
                        <option value="">"Anyone"</option>
                        {list.into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Event"
                    <select name="action" on:change=choose(action)>
                        <option value="">"Any"</option>
                        {AuditAction::iter().filter(|a| a.is_sign_in_event()).map(|a| {
                            let value: &'static str = a.into();
                            view! { <option value=value>{a.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Outcome"
                    <select name="outcome" on:change=choose(outcome)>
                        <option value="">"Any"</option>
                        {AuditOutcome::iter().map(|o| {
                            let value: &'static str = o.into();
                            view! { <option value=value>{if o == AuditOutcome::Success { "Success" } else { "Failure" }}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"From" <input type="date" name="from" on:change=choose(from) /></label>
                <label>"To" <input type="date" name="to" on:change=choose(to) /></label>
                <a class="button" href=csv_href download="sign-in-audit.csv" rel="external">"Export CSV"</a>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"Nothing matches."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="audit stacked" data-testid="sign-in-audit">
                                    <thead><tr>
                                        <th scope="col">"When (UTC)"</th>
                                        <th scope="col">"Staff user"</th>
                                        <th scope="col">"Event"</th>
                                        <th scope="col">"Outcome"</th>
                                        <th scope="col">"Detail"</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|e| view! {
                                            <tr>
                                                <td data-label="When">{e.at.format("%b %-d, %H:%M:%S").to_string()}</td>
                                                <td data-label="Staff user">{e.staff_name.unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="Event">{e.action.label()}</td>
                                                <td data-label="Outcome">
                                                    <span class=if e.outcome == AuditOutcome::Success { "pin-state pin-set" } else { "pin-state pin-none" }>
                                                        {if e.outcome == AuditOutcome::Success { "Success" } else { "Failure" }}
                                                    </span>
                                                </td>
                                                <td data-label="Detail">{e.detail}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
