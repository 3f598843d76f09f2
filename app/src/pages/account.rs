//! *Your account*: one's own password, second factors and open sessions. Changing the
//! password ends every other session; ending a session signs that browser out at once.
//! Adding or removing a factor asks for a fresh confirmation first (step-up).

use janus_domain::staff::AccountView;
use janus_domain::staff::sessions::SessionView;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::{EndSession, list_sessions, remove_authenticator, renew_recovery_codes};
use crate::api::auth::{ChangePassword, my_account};
use crate::api::passkeys::{my_passkeys, remove_passkey};
use crate::components::{AddPasskeyPanel, AuthenticatorSetupPanel, ErrorNotice, StaffShell};
use crate::pages::sign_in_steps::PasswordForm;

#[component]
pub fn AccountPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let account = Resource::new(move || refresh.get(), |_| my_account());
    view! {
        <Title text="Your account" />
        <StaffShell>
            <h1>"Your account"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading your account…"</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(account) => view! {
                            <PasswordSection />
                            <FactorsSection account=account.clone() refresh />
                            <SessionsSection account />
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </StaffShell>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = move || change.value().get().and_then(Result::err);
    let done = move || {
        change.value().get().and_then(Result::ok).map(|_| {
            view! { <div class="notice notice-success" role="status">"Password changed. Your other sessions have ended."</div> }
        })
    };
    view! {
        <section class="account-section" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <PasswordForm change next=Signal::derive(|| "/account".to_owned()) error=Signal::derive(error) />
            {done}
        </section>
    }
}

#[component]
fn FactorsSection(account: AccountView, refresh: RwSignal<u32>) -> impl IntoView {
    let factors = account.factors;
    let error = RwSignal::new(None::<janus_domain::AppError>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let retry_action = StoredValue::new(None::<&'static str>);
    let run = move |what: &'static str| {
        retry_action.set_value(Some(what));
        leptos::task::spawn_local(async move {
            let answer = match what {
                "remove" => remove_authenticator().await.map(|()| None),
                _ => renew_recovery_codes().await.map(Some),
            };
            match answer {
                Ok(new_codes) => {
                    error.set(None);
                    codes.set(new_codes);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let retry = Callback::new(move |()| {
        if let Some(what) = retry_action.get_value() {
            run(what);
        }
    });
    let required = account.factor_required;
    view! {
        <section class="account-section" aria-labelledby="factors-title">
            <h2 id="factors-title">"Second factors"</h2>
            <p class="muted">
                {if required {
                    "Your role signs in with a second factor besides the password."
                } else {
                    "A second factor keeps your account safe even if your password leaks. Once you set one up, every sign-in asks for it."
                }}
            </p>
            <PasskeysPart refresh />
            <h3>"Authenticator app"</h3>
            {if factors.authenticator_app {
                view! {
                    <p data-testid="authenticator-status">
                        "Set up. " {format!("{} of 10 recovery codes left.", factors.recovery_codes_left)}
                    </p>
                    <div class="button-row">
                        <button type="button" class="button" on:click=move |_| run("renew")>"New recovery codes"</button>
                        <button type="button" class="button button-danger" on:click=move |_| run("remove")>"Remove authenticator app"</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p class="muted" data-testid="authenticator-status">"Not set up."</p>
                    <AuthenticatorSetupPanel then=Signal::derive(|| "/account".to_owned()) on_done=Callback::new(move |()| refresh.update(|n| *n += 1)) />
                }.into_any()
            }}
            {move || codes.get().map(|codes| view! {
                <div class="recovery-codes notice notice-success" data-testid="recovery-codes">
                    <p>"Your new recovery codes (the old ones no longer work). Keep them safe; they are shown only now."</p>
                    <ol class="code-list">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ol>
                </div>
            })}
            {move || error.get().map(|e| view! { <ErrorNotice error=e retry /> })}
        </section>
    }
}

#[component]
fn PasskeysPart(refresh: RwSignal<u32>) -> impl IntoView {
    let passkeys = Resource::new(move || refresh.get(), |_| my_passkeys());
    let error = RwSignal::new(None::<janus_domain::AppError>);
    let removing = StoredValue::new(None::<i32>);
    let remove = move |id: i32| {
        removing.set_value(Some(id));
        leptos::task::spawn_local(async move {
            match remove_passkey(id).await {
                Ok(()) => {
                    error.set(None);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let retry = Callback::new(move |()| {
        if let Some(id) = removing.get_value() {
            remove(id);
        }
    });
    view! {
        <h3>"Passkeys"</h3>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match passkeys.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="passkey-status">"None yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="passkeys" data-testid="passkeys">
                            {list.into_iter().map(|p| {
                                let id = p.id;
                                let used = p.last_used_at.map_or_else(
                                    || "never used".to_owned(),
                                    |at| format!("last used {}", at.format("%b %-d, %H:%M UTC")),
                                );
                                view! {
                                    <li>
                                        <strong>{p.name.clone()}</strong>
                                        <span class="muted small">{format!(" added {} · {used}", p.created_at.format("%b %-d, %Y"))}</span>
                                        <button type="button" class="button button-small button-quiet" aria-label=format!("Remove passkey {}", p.name)
                                            on:click=move |_| remove(id)>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
        {move || error.get().map(|e| view! { <ErrorNotice error=e retry /> })}
        <AddPasskeyPanel on_added=Callback::new(move |()| refresh.update(|n| *n += 1)) />
    }
}

#[component]
fn SessionsSection(account: AccountView) -> impl IntoView {
    let me = account.staff.id;
    let end = ServerAction::<EndSession>::new();
    let sessions = Resource::new(move || end.version().get(), move |_| list_sessions(me));
    let outcome = move || {
        end.value().get().map(|r| match r {
            Ok(()) => view! { <div class="notice notice-success" role="status">"That session has ended."</div> }.into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    view! {
        <section class="account-section" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Where you are signed in"</h2>
            {outcome}
            <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionsTable list end whose=me /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Open sessions with a button to end each but the current one: on the account page for
/// one's own, on the staff page (admins) for anyone's.
#[component]
pub fn SessionsTable(
    list: Vec<SessionView>,
    end: ServerAction<EndSession>,
    whose: janus_domain::ids::StaffId,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="sessions stacked" data-testid="sessions">
                <thead>
                    <tr>
                        <th scope="col">"Browser"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|s| view! {
                        <tr data-testid="session-row" data-current=s.current.to_string()>
                            <th scope="row" data-label="Browser">
                                {s.browser.clone()}
                                {s.current.then(|| view! { " " <span class="role">"This browser"</span> })}
                            </th>
                            <td data-label="Address">{s.address.clone()}</td>
                            <td data-label="Started">{s.started.format("%b %-d, %H:%M UTC").to_string()}</td>
                            <td data-label="Last active">{s.last_active.format("%b %-d, %H:%M UTC").to_string()}</td>
                            <td class="staff-actions">
                                {(!s.current).then(|| view! {
                                    <ActionForm action=end attr:class="inline-form">
                                        <input type="hidden" name="whose" value=whose.to_string() />
                                        <input type="hidden" name="session" value=s.id.0.clone() />
                                        <button type="submit" class="button button-small button-danger">"End session"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
