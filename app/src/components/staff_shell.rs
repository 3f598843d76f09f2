use leptos::prelude::*;
use leptos_router::components::A;

use janus_domain::staff::Permission;

use crate::api::auth::{SignOut, current_staff};

/// Who is signed in, read once per page by [`StaffShell`] and shared with what it holds
/// (the modal shows admins *Unlock PIN checks*), so no component asks again.
#[derive(Clone, Copy)]
pub struct SignedInStaff(
    pub Resource<Result<janus_domain::staff::StaffView, janus_domain::AppError>>,
);

impl SignedInStaff {
    /// Whether the signed-in staff member is an admin (false until known).
    pub fn is_admin(self) -> bool {
        self.may(Permission::OverrideSafeguards)
    }

    /// Whether the signed-in staff member's role may do `permission`'s work (false until
    /// known), so a page shows only what the server would accept.
    pub fn may(self, permission: Permission) -> bool {
        self.0
            .get()
            .and_then(Result::ok)
            .is_some_and(|staff| staff.role.may(permission))
    }
}

/// The frame of every staff page: the product name, the signed-in staff member and sign-out.
#[component]
pub fn StaffShell(children: Children) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_staff());
    provide_context(SignedInStaff(me));
    let live = super::LiveUpdates::open_for_page();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <A href="/" attr:class="wordmark">
                <span class="wordmark-mark" aria-hidden="true">"J"</span>
                "Janus Enrollment"
            </A>
            <nav aria-label="Main">
                <A href="/">"Enrollment Dashboard"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let role = me.await.ok().map(|staff| staff.role);
                        let offered = move |path: &str| role.is_some_and(|r| crate::routes::access(path).serves(r));
                        view! {
                            {offered("/messages").then(|| view! { <A href="/messages">"Message templates"</A> })}
                            {offered("/staff").then(|| view! { <A href="/staff">"Staff users"</A> })}
                        }
                    })}
                </Transition>
            </nav>
            <div class="topbar-user">
                <super::LiveStatus live />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await
                            .ok()
                            .map(|staff| {
                                view! {
                                    <A href="/account" attr:class="staff-name" attr:data-testid="staff-name" attr:title="Your account">
                                        {staff.name}
                                        <span class="staff-role">{staff.role.label()}</span>
                                    </A>
                                }
                            })
                    })}
                </Transition>
                <ActionForm action=sign_out>
                    <button type="submit" class="button button-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main class="page">{children()}</main>
    }
}
