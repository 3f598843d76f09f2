//! The lead card's contacts: the table, and adding, editing and removing a contact. A
//! change to who speaks for the business (`janus_domain::contact_edit`) says before it is
//! tried what it needs; the server's refusal comes with the way to verify the caller, and
//! an admin may write down why it cannot wait.

use janus_domain::AppError;
use janus_domain::contact::{ContactRole, display_phone};
use janus_domain::contact_edit::{ContactDraft, ContactEdit};
use janus_domain::dashboard::{ContactView, LeadCard};
use janus_domain::ids::ClientId;
use janus_domain::staff::Permission;
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::api::contacts::{add_contact, edit_contact, remove_contact};
use crate::components::ErrorNotice;
use crate::components::staff_shell::SignedInStaff;

/// What the editor is doing.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    Add,
    Edit(ContactView),
    Remove(ContactView),
}

impl Editing {
    fn title(&self) -> String {
        match self {
            Self::Add => "Add a contact".into(),
            Self::Edit(k) => format!("Edit {}", k.name),
            Self::Remove(k) => format!("Remove {}?", k.name),
        }
    }
}

/// The typed fields of the form.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    role: RwSignal<ContactRole>,
    email: RwSignal<String>,
    mobile: RwSignal<String>,
    reason: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            role: RwSignal::new(ContactRole::PayrollContact),
            email: RwSignal::new(String::new()),
            mobile: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
        }
    }

    fn fill(self, k: Option<&ContactView>) {
        self.name.set(k.map(|k| k.name.clone()).unwrap_or_default());
        self.role
            .set(k.map_or(ContactRole::PayrollContact, |k| k.role));
        self.email
            .set(k.map(|k| k.email.clone()).unwrap_or_default());
        self.mobile
            .set(k.and_then(|k| k.mobile_phone.clone()).unwrap_or_default());
        self.reason.set(String::new());
    }

    fn draft(self) -> Result<ContactDraft, AppError> {
        ContactDraft::parse(
            &self.name.get(),
            self.role.get(),
            &self.email.get(),
            &self.mobile.get(),
        )
    }
}

#[component]
pub fn ContactsSection(
    client_id: ClientId,
    contacts: Vec<ContactView>,
    /// Whether the client has the PIN workflow, where a caller can be verified.
    pin_workflow: bool,
    /// What a change to who speaks for the business needs; `None` when such changes are
    /// not guarded (a brand outside the PIN workflow's scope).
    guarded_needs: Option<String>,
    /// Called with the card after a change.
    on_changed: Callback<LeadCard>,
    /// Opens the Security PIN modal, to verify the caller.
    open_modal: Callback<()>,
    /// Called after a refusal, which the audit trail records.
    on_refused: Callback<()>,
) -> impl IntoView {
    let brand_in_scope = guarded_needs.is_some();
    let guarded_needs = StoredValue::new(guarded_needs);
    let editing = RwSignal::new(None::<Editing>);
    let fields = Fields::new();
    let problem = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let me = use_context::<SignedInStaff>();
    let is_admin = move || me.is_some_and(|me| me.is_admin());
    // Verifiers only check callers: the editor is not theirs (the server refuses it too).
    let read_only = move || !me.is_some_and(|me| me.may(Permission::WorkEnrollments));
    let open = move |what: Editing| {
        fields.fill(match &what {
            Editing::Add => None,
            Editing::Edit(k) | Editing::Remove(k) => Some(k),
        });
        problem.set(None);
        failure.set(None);
        editing.set(Some(what));
    };
    // The change the form describes now, to say before saving whether it is guarded.
    let edit_now = move || -> Option<ContactEdit> {
        match editing.get()? {
            Editing::Add => fields.draft().ok().map(ContactEdit::Add),
            Editing::Edit(k) => fields.draft().ok().map(|after| ContactEdit::Edit {
                before: ContactDraft::of(&k),
                after,
            }),
            Editing::Remove(k) => Some(ContactEdit::Remove(ContactDraft::of(&k))),
        }
    };
    let guarded = move || edit_now().is_some_and(|e| e.is_guarded_for(brand_in_scope));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(what) = editing.get_untracked() else {
            return;
        };
        failure.set(None);
        let draft = match &what {
            Editing::Remove(_) => None,
            _ => match fields.draft() {
                Ok(d) => Some(d),
                Err(AppError::InvalidInput { field, message }) => {
                    problem.set(Some((field, message)));
                    return;
                }
                Err(other) => {
                    failure.set(Some(other));
                    return;
                }
            },
        };
        problem.set(None);
        let reason = fields.reason.get_untracked();
        let (name, role, email, mobile) = (
            fields.name.get_untracked(),
            fields.role.get_untracked(),
            fields.email.get_untracked(),
            fields.mobile.get_untracked(),
        );
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = match (&what, draft) {
                (Editing::Add, Some(_)) => {
                    add_contact(client_id, name, role, email, mobile, reason).await
                }
                (Editing::Edit(k), Some(_)) => {
                    edit_contact(client_id, k.id, name, role, email, mobile, reason).await
                }
                (Editing::Remove(k), _) => remove_contact(client_id, k.id, reason).await,
                _ => return,
            };
            busy.set(false);
            match answer {
                Ok(card) => {
                    editing.set(None);
                    on_changed.run(card);
                }
                Err(AppError::InvalidInput { field, message }) if field != "contact" => {
                    problem.set(Some((field, message)));
                }
                Err(e) => {
                    if matches!(e, AppError::VerificationRequired(_)) {
                        on_refused.run(());
                    }
                    failure.set(Some(e));
                }
            }
        });
    };
    let field_problem = move |field: &'static str| {
        move || {
            problem
                .get()
                .filter(|(f, _)| f == field)
                .map(|(_, message)| message)
        }
    };
    let rows = contacts
        .into_iter()
        .map(|c| {
            let email_href = format!("mailto:{}", c.email);
            let (for_edit, for_remove) = (c.clone(), c.clone());
            let name = c.name.clone();
            view! {
                <tr>
                    <th scope="row">{c.name.clone()}</th>
                    <td data-label="Role"><span class="role">{c.role.label()}</span></td>
                    <td data-label="Email"><a href=email_href>{c.email.clone()}</a></td>
                    <td data-label="Mobile">{c.mobile_phone.as_deref().map(display_phone).unwrap_or_else(|| "—".into())}</td>
                    <td data-label="New address">
                        {c.cooling_off.clone().map_or_else(
                            || view! { <span class="muted">"—"</span> }.into_any(),
                            |why| view! { <span class="cooling-off" data-testid="cooling-off">{why}</span> }.into_any(),
                        )}
                    </td>
                    <td class="row-actions" hidden=read_only>
                        <button type="button" class="button button-small" aria-label=format!("Edit {name}") on:click=move |_| open(Editing::Edit(for_edit.clone()))>"Edit"</button>
                        <button type="button" class="button button-small button-quiet" aria-label=format!("Remove {name}") on:click=move |_| open(Editing::Remove(for_remove.clone()))>"Remove"</button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let form_id = format!("contact-form-{client_id}");
    view! {
        <section id="contacts" aria-labelledby="contacts-title">
            <div class="section-head">
                <h2 id="contacts-title">"Contacts"</h2>
                <button type="button" class="button" aria-controls=form_id.clone() hidden=read_only on:click=move |_| open(Editing::Add)>"Add contact"</button>
            </div>
            <div class="table-wrap">
                <table class="contacts stacked">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Mobile"</th>
                            <th scope="col">"New address"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || editing.get().map(|what| {
                let removing = matches!(what, Editing::Remove(_));
                let title = what.title();
                let heading = title.clone();
                let form_id = form_id.clone();
                view! {
                    <form id=form_id class="contact-form" aria-label=title data-testid="contact-form" on:submit=submit>
                        <h3>{heading}</h3>
                        {(!removing).then(|| view! {
                            <div class="contact-fields">
                                <label>
                                    "Name"
                                    <input type="text" name="name" maxlength="100" autocomplete="off"
                                        prop:value=move || fields.name.get()
                                        on:input=move |ev| fields.name.set(event_target_value(&ev)) />
                                    <span class="field-problem" role="alert">{field_problem("name")}</span>
                                </label>
                                <label>
                                    "Role"
                                    <select name="role" on:change=move |ev| {
                                        if let Ok(role) = event_target_value(&ev).parse::<ContactRole>() {
                                            fields.role.set(role);
                                        }
                                    }>
                                        {ContactRole::iter().map(|r| {
                                            let value: &'static str = r.into();
                                            view! { <option value=value prop:selected=move || fields.role.get() == r>{r.label()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>
                                    "Email"
                                    <input type="email" name="email" maxlength="254" autocomplete="off"
                                        prop:value=move || fields.email.get()
                                        on:input=move |ev| fields.email.set(event_target_value(&ev)) />
                                    <span class="field-problem" role="alert">{field_problem("email")}</span>
                                </label>
                                <label>
                                    "Mobile (optional, with the country code)"
                                    <input type="tel" name="mobile" maxlength="24" autocomplete="off" placeholder="+1 614 555 0100"
                                        prop:value=move || fields.mobile.get()
                                        on:input=move |ev| fields.mobile.set(event_target_value(&ev)) />
                                    <span class="field-problem" role="alert">{field_problem("mobile")}</span>
                                </label>
                            </div>
                        })}
                        {move || guarded().then(|| view! {
                            <div class="notice notice-warning" data-testid="contact-guarded">
                                <p>
                                    "This change decides who speaks for the business and where PIN links go. "
                                    {guarded_needs.get_value().map(|n| format!("{n} "))}
                                    {(!pin_workflow).then_some("A client before Currently Enrolling cannot be verified, so only an admin with a reason can make it. ")}
                                    "The old email and mobile are told of it, and a new address waits "
                                    "before links or codes go to it."
                                </p>
                                {is_admin().then(|| view! {
                                    <label class="contact-reason">
                                        "As an admin, without that verification: why can the change not wait?"
                                        <textarea name="reason" rows="2" maxlength="500"
                                            prop:value=move || fields.reason.get()
                                            on:input=move |ev| fields.reason.set(event_target_value(&ev))></textarea>
                                        <span class="field-problem" role="alert">{field_problem("reason")}</span>
                                    </label>
                                })}
                            </div>
                        })}
                        {move || failure.get().map(|error| {
                            if matches!(error, AppError::VerificationRequired(_)) {
                                view! {
                                    <div class="notice notice-error" role="alert" data-testid="contact-refused">
                                        <p>{error.to_string()}</p>
                                        {pin_workflow.then(|| view! {
                                            <button type="button" class="button" on:click=move |_| open_modal.run(())>"Open Security PIN"</button>
                                        })}
                                    </div>
                                }.into_any()
                            } else {
                                view! { <ErrorNotice error /> }.into_any()
                            }
                        })}
                        <div class="modal-actions">
                            <button type="submit" class=if removing { "button button-danger" } else { "button button-primary" } disabled=move || busy.get()>
                                {if removing { "Remove contact" } else { "Save contact" }}
                            </button>
                            <button type="button" class="button button-quiet" on:click=move |_| editing.set(None)>"Cancel"</button>
                        </div>
                    </form>
                }
            })}
        </section>
    }
}
