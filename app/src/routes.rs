//! Every path the server answers, and who may open it, declared once. The page guard
//! (`server/src/router.rs`) reads it to send anonymous staff to sign-in, the document head
//! (`page_scripts.rs`) to choose a page's scripts, and the shell to choose its
//! Content-Security-Policy. [`App`](crate::App)'s `<Route>`s must name the same pages (a
//! test in `server/src/router.rs` compares them with [`PAGES`]).

use janus_domain::staff::{Permission, StaffRole};

/// Who a path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not a page: files, server functions (which check the session themselves and answer
    /// 401) and the health checks. Anyone may ask.
    Open,
    /// The sign-in page: anyone, and signed-in staff are sent on to the dashboard.
    SignIn,
    /// A step between the password and the dashboard (a second factor, a new password, a
    /// factor set up): for a session that has that step ahead of it.
    SigningIn,
    /// A page for signed-in staff.
    Staff,
    /// A page for staff who work enrollments (agents and admins); verifiers find no link
    /// to it, and its server functions refuse them (403).
    Enrollment,
    /// A page for signed-in staff that only admins can use; others see it refuse (its
    /// server functions answer 403) and find no link to it.
    Admin,
    /// A page a client opens from a link on their phone. Public, since the link is the key;
    /// rendered whole on the server with only the small client bundle (`pin_page`).
    Client,
}

impl Access {
    /// Whether an anonymous request may have it, without a session.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Open | Self::SignIn | Self::Client)
    }

    /// Whether staff of this role can use it, so the navigation offers it.
    pub fn serves(self, role: StaffRole) -> bool {
        match self {
            Self::Enrollment => role.may(Permission::WorkEnrollments),
            Self::Admin => role.may(Permission::ManageStaff),
            _ => true,
        }
    }
}

/// One page: its path pattern (`:name` matches one segment) and who it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub pattern: &'static str,
    pub access: Access,
}

/// Every page of the app. The development mailbox is a staff page: it shows live links and
/// codes.
pub const PAGES: &[Page] = &[
    Page {
        pattern: "/login",
        access: Access::SignIn,
    },
    Page {
        pattern: "/login/second-factor",
        access: Access::SigningIn,
    },
    Page {
        pattern: "/login/new-password",
        access: Access::SigningIn,
    },
    Page {
        pattern: "/login/set-up-second-factor",
        access: Access::SigningIn,
    },
    Page {
        pattern: "/",
        access: Access::Staff,
    },
    Page {
        pattern: "/account",
        access: Access::Staff,
    },
    Page {
        pattern: "/clients/:id",
        access: Access::Staff,
    },
    Page {
        pattern: "/messages",
        access: Access::Enrollment,
    },
    Page {
        pattern: "/staff",
        access: Access::Admin,
    },
    Page {
        pattern: "/dev/mailbox",
        access: Access::Enrollment,
    },
    Page {
        pattern: "/pin/:token",
        access: Access::Client,
    },
    Page {
        pattern: "/pin/complete/:brand",
        access: Access::Client,
    },
];

/// Paths under these are not pages.
const NOT_PAGES: [&str; 3] = ["/pkg/", "/api/", "/health"];

/// Who `path` is for. A path that is no page and no file is a staff page's 404: staff see
/// it once signed in, and nobody learns from it which paths exist.
pub fn access(path: &str) -> Access {
    if NOT_PAGES.iter().any(|p| path.starts_with(p)) {
        return Access::Open;
    }
    if let Some(page) = PAGES.iter().find(|page| matches(page.pattern, path)) {
        return page.access;
    }
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        Access::Open
    } else {
        Access::Staff
    }
}

/// Whether `path` is a page of `pattern`, as the router matches it: one trailing `/` is
/// the same page.
fn matches(pattern: &str, path: &str) -> bool {
    let path = match path.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed,
        _ => path,
    };
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with(':') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_is_for_whom_the_table_says() {
        for (path, access) in [
            ("/login", Access::SignIn),
            ("/", Access::Staff),
            ("/clients/3", Access::Staff),
            ("/clients", Access::Staff),
            ("/staff", Access::Admin),
            ("/dev/mailbox", Access::Enrollment),
            ("/messages", Access::Enrollment),
            ("/account", Access::Staff),
            ("/login/second-factor", Access::SigningIn),
            ("/login/set-up-second-factor/", Access::SigningIn),
            ("/pin/abc", Access::Client),
            ("/pin/complete/compeo", Access::Client),
            ("/pin/abc/", Access::Client),
            ("/pin/a.b", Access::Client),
            ("/clients/3/", Access::Staff),
            ("/clients/1.5", Access::Staff),
            ("/pin/", Access::Staff),
            ("/pinned", Access::Staff),
            ("/admin", Access::Staff),
            ("/pkg/janus.wasm", Access::Open),
            ("/api/sign_in", Access::Open),
            ("/health", Access::Open),
            ("/favicon.ico", Access::Open),
        ] {
            assert_eq!(super::access(path), access, "{path}");
        }
    }

    #[test]
    fn only_files_sign_in_and_client_pages_are_public() {
        assert!(Access::Open.is_public() && Access::SignIn.is_public());
        assert!(Access::Client.is_public());
        assert!(!Access::Staff.is_public() && !Access::Admin.is_public());
        assert!(!Access::SigningIn.is_public() && !Access::Enrollment.is_public());
        assert!(Access::Staff.serves(StaffRole::Agent));
        assert!(!Access::Admin.serves(StaffRole::Agent));
        assert!(Access::Admin.serves(StaffRole::Admin));
        assert!(Access::Staff.serves(StaffRole::Verifier));
        assert!(!Access::Enrollment.serves(StaffRole::Verifier));
        assert!(Access::Enrollment.serves(StaffRole::Agent));
    }
}
