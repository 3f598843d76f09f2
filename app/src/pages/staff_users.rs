//! *Staff users* (admins only): every staff account with its role, status and open
//! sessions; adding an account; deactivating (which signs it out everywhere at once),
//! reactivating, and changing roles. Every form works without JavaScript too.

use janus_domain::staff::{StaffChange, StaffMember, StaffRole, StaffView, staff_changes_offered};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use strum::IntoEnumIterator;

use crate::api::auth::current_staff;
use crate::api::staff::{AddStaff, ChangeStaff, list_staff};
use crate::components::{ErrorNotice, StaffShell};

#[component]
pub fn StaffUsersPage() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let change = ServerAction::<ChangeStaff>::new();
    let staff = Resource::new(
        move || (add.version().get(), change.version().get()),
        |_| list_staff(),
    );
    let me = Resource::new(|| (), |_| current_staff());
    view! {
        <Title text="Staff users" />
        <StaffShell>
            <h1>"Staff users"</h1>
            <p class="muted">
                "Agents verify callers and send setup links and 2-step codes. Admins do the same and also manage staff users. "
                "Deactivating an account signs it out everywhere at once; it can be reactivated later."
            </p>
            <ChangeOutcome change />
            <Transition fallback=|| view! { <p class="muted">"Loading staff users…"</p> }>
                {move || Suspend::new(async move {
                    match (me.await, staff.await) {
                        (Ok(me), Ok(list)) => view! { <StaffTable list me change /> <AddStaffForm add /> }.into_any(),
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
    move || {
        change.value().get().map(|result| match result {
            Ok(m) => {
                let text = if !m.active {
                    format!("{} is deactivated and signed out everywhere.", m.name)
                } else {
                    format!("{} is an active {}.", m.name, m.role.label().to_lowercase())
                };
                view! { <div class="notice notice-success" role="status">{text}</div> }.into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    }
}

#[component]
fn StaffTable(
    list: Vec<StaffMember>,
    me: StaffView,
    change: ServerAction<ChangeStaff>,
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
                        <th scope="col">"Added"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|m| {
                        let me = me.clone();
                        view! { <StaffRow m me change /> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StaffRow(m: StaffMember, me: StaffView, change: ServerAction<ChangeStaff>) -> impl IntoView {
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
                    {format!("{} ({}) can now sign in as {}.", m.name, m.email, m.role.label().to_lowercase())}
                </div>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
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
                    <span class="muted small">"At least 12 characters. Hand it over in person, never by email."</span>
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
