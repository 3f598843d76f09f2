//! Enrollment Dashboard: tabs by stage, server-side search and pagination, a ⋮ menu per row.
//! The tab, search text and page live in the address, so every view can be bookmarked,
//! shared and reloaded, and the search form works as a plain GET.

use janus_domain::dashboard::{ClientPage, ClientRow, DashboardTab, RowAction};
use janus_domain::ids::ClientId;
use janus_domain::live::ClientChange;
use janus_domain::url::encode_query_value;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use strum::IntoEnumIterator;

use crate::api::clients::{list_clients, watch_clients};
use crate::components::{
    ConfirmDialog, ContactPurpose, Countdown, ErrorNotice, LiveUpdates, MenuItem, ModalStep,
    PinBadge, Redraw, RowMenu, StaffShell, lazy_security_modal,
};

/// Asks the page to start *Send Security PIN Setup Link* for a row: (client id, business
/// name, seconds verified).
#[derive(Clone, Copy)]
struct StartSetupLink(Callback<(ClientId, String, i64)>);

fn href(tab: DashboardTab, search: &str, page: u64) -> String {
    let mut url = format!("/?tab={}", tab.slug());
    if !search.is_empty() {
        url.push_str("&q=");
        url.push_str(&encode_query_value(search));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let tab = Memo::new(move |_| {
        query
            .with(|q| q.get("tab").and_then(|t| t.parse::<DashboardTab>().ok()))
            .unwrap_or_default()
    });
    let search = Memo::new(move |_| query.with(|q| q.get("q")).unwrap_or_default());
    let page = Memo::new(move |_| {
        query
            .with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()))
            .unwrap_or(1)
    });
    // Bumped to fetch the list again after the person's own change. Another's change,
    // heard on the live feed, replaces the list in place (`FollowLive`).
    let refresh = RwSignal::new(0u32);
    let clients = Resource::new(
        move || (tab.get(), search.get(), page.get(), refresh.get()),
        |(tab, search, page, _)| list_clients(tab, search, page),
    );

    // ⋮ → "Send Security PIN Setup Link" → a confirmation → the Security Verification modal.
    let asked = RwSignal::new(None::<(ClientId, String, i64)>);
    let confirm_open = RwSignal::new(false);
    let modal_for = RwSignal::new(None::<(ClientId, i64)>);
    let modal_step = RwSignal::new(None::<ModalStep>);
    provide_context(StartSetupLink(Callback::new(move |row| {
        asked.set(Some(row));
        confirm_open.set(true);
    })));
    let confirm_title = Signal::derive(move || {
        asked
            .get()
            .map(|(_, name, _)| format!("Send a Security PIN setup link to {name}?"))
            .unwrap_or_default()
    });
    let on_confirm = Callback::new(move |()| {
        if let Some((id, _, seconds)) = asked.get_untracked() {
            modal_for.set(Some((id, seconds)));
            modal_step.set(Some(ModalStep::PickContact(ContactPurpose::CreatePin)));
        }
    });
    // Once the modal closes, the PIN column shows what changed.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = modal_step.get().is_some();
        if was_open == Some(true) && !is_open {
            refresh.update(|n| *n += 1);
        }
        is_open
    });
    view! {
        <Title text="Enrollment Dashboard" />
        <StaffShell>
            <FollowLive clients tab search page refresh modal_step />
            <div class="page-head">
                <h1>"Enrollment Dashboard"</h1>
            </div>
            <nav class="tabs" aria-label="Enrollment stage">
                {DashboardTab::iter()
                    .map(|t| {
                        view! {
                            <a
                                href=move || href(t, &search.get(), 1)
                                class="tab"
                                aria-current=move || (tab.get() == t).then_some("page")
                            >
                                {t.label()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <Form method="GET" action="/" attr:class="search" attr:role="search">
                <input type="hidden" name="tab" prop:value=move || tab.get().slug() />
                <label class="visually-hidden" for="client-search">"Search clients"</label>
                <input
                    id="client-search"
                    type="search"
                    name="q"
                    maxlength="100"
                    placeholder="Search business, brand or contact name"
                    prop:value=move || search.get()
                />
                <button type="submit" class="button">"Search"</button>
            </Form>
            <Transition fallback=|| view! { <p class="muted">"Loading clients…"</p> }>
                {move || Suspend::new(async move {
                    match clients.await {
                        Ok(page) => view! { <ClientTable page /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <ConfirmDialog
                open=confirm_open
                title=confirm_title
                message="Next, choose the owner or authorized representative who receives the link by email and SMS. The link works once, for 24 hours."
                confirm_label="Continue"
                on_confirm
            />
            {move || modal_for.get().map(|(client_id, seconds)| {
                let countdown = Countdown::new(seconds);
                view! {
                    <Suspense fallback=|| ()>
                        {Suspend::new(lazy_security_modal(client_id, modal_step, countdown))}
                    </Suspense>
                }
            })}
        </StaffShell>
    }
}

/// Another's change to a listed client (or one that may join this list) reads the list
/// again, without counting as activity, and redraws it if it now draws differently; not
/// while the modal is open (it follows its client, and closing it reads the list) nor
/// while focus is on a row's menu or in a dialog (the redraw would take it away). A
/// component of its own, inside the staff shell, whose live feed it follows.
#[component]
fn FollowLive(
    clients: Resource<Result<ClientPage, janus_domain::AppError>>,
    tab: Memo<DashboardTab>,
    search: Memo<String>,
    page: Memo<u64>,
    refresh: RwSignal<u32>,
    modal_step: RwSignal<Option<ModalStep>>,
) -> impl IntoView {
    if let Some(live) = LiveUpdates::of_page() {
        let redraw = Redraw::new("table.clients .cell-menu, dialog[open]");
        let again = Callback::new(move |()| {
            let asked = (
                tab.get_untracked(),
                search.get_untracked(),
                page.get_untracked(),
                refresh.get_untracked(),
            );
            leptos::task::spawn_local(async move {
                let Ok(fresh) = watch_clients(asked.0, asked.1.clone(), asked.2).await else {
                    return;
                };
                // The person may have moved to another tab or page, or fetched the list
                // themselves, meanwhile: theirs is the newer reading.
                let now = (
                    tab.try_get_untracked(),
                    search.try_get_untracked(),
                    page.try_get_untracked(),
                    refresh.try_get_untracked(),
                );
                if now != (Some(asked.0), Some(asked.1), Some(asked.2), Some(asked.3)) {
                    return;
                }
                let shown = clients.try_get_untracked().flatten().and_then(Result::ok);
                if shown.is_some_and(|shown| shown.draws_like(&fresh)) {
                    return;
                }
                // Applied once nobody is in a row's menu or a dialog, and not under the
                // modal (closing it reads the list anyway).
                redraw.run(Callback::new(move |()| {
                    if modal_step.try_get_untracked() == Some(None) {
                        clients.try_set(Some(Ok(fresh.clone())));
                    }
                }));
            });
        });
        live.follow(move |news| {
            if modal_step.get_untracked().is_some() {
                return;
            }
            let change = news.change();
            if change.is_some_and(ClientChange::only_activity) {
                return;
            }
            let listed = clients
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|page| page.rows.iter().any(|row| news.concerns(row.id)));
            if listed || change.is_none_or(ClientChange::may_join_a_list) {
                again.run(());
            }
        });
    }
}

#[component]
fn ClientTable(page: ClientPage) -> impl IntoView {
    let ClientPage {
        query,
        rows,
        total,
        viewer,
    } = page.clone();
    let pages = page.page_count();
    let first = if total == 0 { 0 } else { query.offset() + 1 };
    let last = query.offset() + rows.len() as u64;
    if rows.is_empty() {
        let message = if query.search.is_empty() {
            format!("No clients in {}.", query.tab.label())
        } else {
            format!(
                "No clients in {} match “{}”.",
                query.tab.label(),
                query.search
            )
        };
        return view! { <p class="empty" data-testid="empty">{message}</p> }.into_any();
    }
    view! {
        <p class="muted small" aria-live="polite" data-testid="result-count">
            {format!("Showing {first}–{last} of {total} clients")}
        </p>
        <div class="table-wrap">
            <table class="clients stacked">
                <thead>
                    <tr>
                        <th scope="col">"Business"</th>
                        <th scope="col">"Brand"</th>
                        <th scope="col">"Stage"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Security PIN"</th>
                        <th scope="col"><span class="visually-hidden">"Options"</span></th>
                    </tr>
                </thead>
                <tbody>{rows.into_iter().map(|row| view! { <ClientRowView row viewer /> }).collect_view()}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {(query.page > 1).then(|| view! {
                <A href=href(query.tab, &query.search, query.page - 1) attr:rel="prev">"← Previous"</A>
            })}
            <span>{format!("Page {} of {pages}", query.page)}</span>
            {(query.page < pages).then(|| view! {
                <A href=href(query.tab, &query.search, query.page + 1) attr:rel="next">"Next →"</A>
            })}
        </nav>
    }
    .into_any()
}

#[component]
fn ClientRowView(row: ClientRow, viewer: janus_domain::staff::StaffRole) -> impl IntoView {
    let card = format!("/clients/{}", row.id);
    let start = use_context::<StartSetupLink>();
    let items = row
        .actions(viewer)
        .into_iter()
        .filter_map(|action| {
            let label = action.label().to_owned();
            Some(match action {
                RowAction::OpenLeadCard => MenuItem::Link {
                    label,
                    href: card.clone(),
                },
                RowAction::ViewContacts => MenuItem::Link {
                    label,
                    href: format!("{card}#contacts"),
                },
                RowAction::SendSetupLink => {
                    let StartSetupLink(start) = start?;
                    let request = (row.id, row.business_name.clone(), row.verified_seconds_left);
                    MenuItem::Action {
                        label,
                        run: Callback::new(move |()| start.run(request.clone())),
                    }
                }
            })
        })
        .collect::<Vec<_>>();
    let countdown = Countdown::new(row.verified_seconds_left);
    let name = row.business_name.clone();
    view! {
        <tr>
            <th scope="row">
                <A href=card>{name}</A>
            </th>
            <td data-label="Brand">
                <span class="brand-dot" style=format!("background:{}", row.brand.color)></span>
                {row.brand.name}
            </td>
            <td data-label="Stage">{row.stage.label()}</td>
            <td data-label="Owner">{row.owner_name.unwrap_or_else(|| "—".into())}</td>
            <td data-label="Security PIN">
                <PinBadge state=row.pin_state countdown />
            </td>
            <td class="cell-menu">
                <RowMenu label=row.business_name items />
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_tab_search_and_page() {
        assert_eq!(href(DashboardTab::All, "", 1), "/?tab=all");
        assert_eq!(
            href(DashboardTab::CurrentlyEnrolling, "O'Brien & Co", 3),
            "/?tab=currently-enrolling&q=O%27Brien%20%26%20Co&page=3"
        );
    }
}
