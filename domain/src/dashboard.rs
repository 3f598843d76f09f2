//! The Enrollment Dashboard's vocabulary: stages, tabs, the search query and the shapes of
//! the table rows and lead cards sent to the browser.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

use crate::AppError;
use crate::ids::ClientId;

mod lead_card;

stored_set! {
    /// Where a client stands in enrollment.
    pub enum EnrollmentStage {
        NewLead,
        CurrentlyEnrolling,
        Enrolled,
    }
}

impl EnrollmentStage {
    pub fn label(self) -> &'static str {
        match self {
            Self::NewLead => "New lead",
            Self::CurrentlyEnrolling => "Currently enrolling",
            Self::Enrolled => "Enrolled",
        }
    }

    /// From Currently Enrolling on, clients of in-scope brands have the security PIN
    /// workflow: it is set up during enrollment, and callers still need verifying after.
    pub fn has_pin_workflow(self) -> bool {
        matches!(self, Self::CurrentlyEnrolling | Self::Enrolled)
    }

    /// The stage a client moves on to, if any.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::NewLead => Some(Self::CurrentlyEnrolling),
            Self::CurrentlyEnrolling => Some(Self::Enrolled),
            Self::Enrolled => None,
        }
    }

    /// The stage a client moves back to, if any.
    pub fn previous(self) -> Option<Self> {
        match self {
            Self::NewLead => None,
            Self::CurrentlyEnrolling => Some(Self::NewLead),
            Self::Enrolled => Some(Self::CurrentlyEnrolling),
        }
    }
}

/// A dashboard tab; each but `All` shows one stage. Its name in the page address
/// (`?tab=currently-enrolling`) is the kebab-case of the variant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    EnumIter,
    IntoStaticStr,
    EnumString,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DashboardTab {
    #[default]
    CurrentlyEnrolling,
    NewLeads,
    Enrolled,
    All,
}

impl DashboardTab {
    /// Its name in the page address.
    pub fn slug(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CurrentlyEnrolling => "Currently Enrolling",
            Self::NewLeads => "New Leads",
            Self::Enrolled => "Enrolled",
            Self::All => "All Clients",
        }
    }

    pub fn stage(self) -> Option<EnrollmentStage> {
        match self {
            Self::CurrentlyEnrolling => Some(EnrollmentStage::CurrentlyEnrolling),
            Self::NewLeads => Some(EnrollmentStage::NewLead),
            Self::Enrolled => Some(EnrollmentStage::Enrolled),
            Self::All => None,
        }
    }
}

pub const PAGE_SIZE: u64 = 20;
pub const MAX_SEARCH_CHARS: usize = 100;
/// A bound on `page` so a hand-made address cannot ask the database for an absurd offset.
pub const MAX_PAGE: u64 = 100_000;

/// A validated dashboard query: which tab, what search text, which page (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientQuery {
    pub tab: DashboardTab,
    pub search: String,
    pub page: u64,
}

impl ClientQuery {
    pub fn new(tab: DashboardTab, search: &str, page: u64) -> Result<Self, AppError> {
        let search = search.trim();
        if search.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::invalid(
                "search",
                format!("search text has at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        if search.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "search",
                "search text cannot contain control characters",
            ));
        }
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(AppError::invalid(
                "page",
                format!("page must be between 1 and {MAX_PAGE}"),
            ));
        }
        Ok(Self {
            tab,
            search: search.to_owned(),
            page,
        })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * PAGE_SIZE
    }
}

/// Whether a client gets the security PIN workflow, and how far along its PIN is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinState {
    /// Brand out of scope, or a new lead: no PIN control at all.
    NotApplicable,
    /// In scope, no PIN and no link out.
    NoPin,
    /// A setup link is out and the client has not used it yet.
    LinkSent,
    /// The client has a PIN staff can verify.
    PinSet,
    /// Staff reset the PIN: the old one no longer works and the client has not set a new one.
    ResetPending,
}

/// What the database knows about a client's PIN, from which [`PinState`] follows. These
/// are the stored facts as they are; what they mean together (a reset is pending only
/// while no new PIN is set) is decided in [`PinState::for_client`] alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinFacts {
    pub has_pin: bool,
    /// Staff reset the PIN and the row still records it (setting a new PIN clears it).
    pub reset_started: bool,
    pub link_out: bool,
}

/// Whether the security PIN workflow applies to a client: a brand in the settings' scope,
/// from Currently Enrolling on.
pub fn in_pin_workflow(brand_in_scope: bool, stage: EnrollmentStage) -> bool {
    brand_in_scope && stage.has_pin_workflow()
}

impl PinState {
    pub fn for_client(brand_in_scope: bool, stage: EnrollmentStage, facts: PinFacts) -> Self {
        if !in_pin_workflow(brand_in_scope, stage) {
            Self::NotApplicable
        } else if facts.has_pin {
            Self::PinSet
        } else if facts.reset_started {
            Self::ResetPending
        } else if facts.link_out {
            Self::LinkSent
        } else {
            Self::NoPin
        }
    }

    pub fn is_applicable(self) -> bool {
        self != Self::NotApplicable
    }

    /// Whether a PIN was ever set, so the modal offers *Reset PIN* instead of *Create PIN*.
    pub fn offers_reset(self) -> bool {
        matches!(self, Self::PinSet | Self::ResetPending)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotApplicable => "—",
            Self::NoPin => "No PIN",
            Self::LinkSent => "Link sent",
            Self::PinSet => "PIN set",
            Self::ResetPending => "Reset in progress",
        }
    }

    /// The CSS class of the state's badge.
    pub fn css(self) -> &'static str {
        match self {
            Self::NotApplicable => "pin-state pin-na",
            Self::NoPin => "pin-state pin-none",
            Self::LinkSent | Self::ResetPending => "pin-state pin-pending",
            Self::PinSet => "pin-state pin-set",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandView {
    pub slug: String,
    pub name: String,
    /// CSS colour, `#rrggbb`.
    pub color: String,
    pub support_phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: ClientId,
    pub business_name: String,
    pub brand: BrandView,
    pub stage: EnrollmentStage,
    pub owner_name: Option<String>,
    pub pin_state: PinState,
    /// Seconds the client stays verified, by the server's clock; 0 when not verified.
    pub verified_seconds_left: i64,
}

/// What a dashboard row's ⋮ menu offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    OpenLeadCard,
    ViewContacts,
    /// Start *Send Security PIN Setup Link* for the client.
    SendSetupLink,
}

impl RowAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::OpenLeadCard => "Open lead card",
            Self::ViewContacts => "View contacts",
            Self::SendSetupLink => "Send Security PIN Setup Link",
        }
    }
}

impl ClientRow {
    /// The row's menu for staff of `role`, in order. The setup link is offered wherever
    /// the PIN workflow applies, enrolled clients included (one enrolled before the
    /// workflow still needs a PIN), to the roles that send links.
    pub fn actions(&self, role: crate::staff::StaffRole) -> Vec<RowAction> {
        let mut actions = vec![RowAction::OpenLeadCard, RowAction::ViewContacts];
        if self.pin_state.is_applicable() && role.may(crate::staff::Permission::WorkEnrollments) {
            actions.push(RowAction::SendSetupLink);
        }
        actions
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPage {
    pub query: ClientQuery,
    pub rows: Vec<ClientRow>,
    /// Clients matching the query across all pages.
    pub total: u64,
    /// The role of the staff member it was listed for: the rows offer what it may do.
    pub viewer: crate::staff::StaffRole,
}

impl ClientPage {
    /// Whether a fresh reading of the page draws as this one does, but for the verified
    /// windows' seconds, which each row counts down by itself.
    pub fn draws_like(&self, other: &Self) -> bool {
        let still = |page: &Self| {
            let mut page = page.clone();
            for row in &mut page.rows {
                row.verified_seconds_left = row.verified_seconds_left.min(1);
            }
            page
        };
        still(self) == still(other)
    }

    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(PAGE_SIZE).max(1)
    }
}

pub use lead_card::{BeiaState, ContactView, LeadCard, SyncEmployeesState};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::StaffRole;

    /// A Compeo client's row.
    fn acme(stage: EnrollmentStage, pin_state: PinState, seconds: i64) -> ClientRow {
        ClientRow {
            id: ClientId(1),
            business_name: "Acme".into(),
            brand: BrandView {
                slug: "compeo".into(),
                name: "Compeo".into(),
                color: "#000000".into(),
                support_phone: "+1 800 555 0100".into(),
            },
            stage,
            owner_name: None,
            pin_state,
            verified_seconds_left: seconds,
        }
    }

    #[test]
    fn a_page_draws_alike_while_only_a_countdown_moved_and_differently_once_a_row_changed() {
        let row =
            |seconds, pin_state| acme(EnrollmentStage::CurrentlyEnrolling, pin_state, seconds);
        let page = |rows| ClientPage {
            query: ClientQuery::new(DashboardTab::All, "", 1).unwrap(),
            rows,
            total: 1,
            viewer: StaffRole::Agent,
        };
        let verified = page(vec![row(3_600, PinState::PinSet)]);
        assert!(verified.draws_like(&page(vec![row(3_540, PinState::PinSet)])));
        assert!(!verified.draws_like(&page(vec![row(0, PinState::PinSet)])));
        assert!(!verified.draws_like(&page(vec![row(3_600, PinState::LinkSent)])));
    }

    #[test]
    fn the_setup_link_is_offered_only_for_clients_in_the_workflow() {
        let row = |stage, pin_state| acme(stage, pin_state, 0);
        let always = [RowAction::OpenLeadCard, RowAction::ViewContacts];
        let enrolling = row(EnrollmentStage::CurrentlyEnrolling, PinState::NoPin);
        assert_eq!(
            enrolling.actions(StaffRole::Agent),
            [always[0], always[1], RowAction::SendSetupLink]
        );
        assert_eq!(
            row(EnrollmentStage::CurrentlyEnrolling, PinState::NotApplicable)
                .actions(StaffRole::Agent),
            always
        );
        assert_eq!(
            row(EnrollmentStage::Enrolled, PinState::NoPin).actions(StaffRole::Agent),
            enrolling.actions(StaffRole::Agent)
        );
        assert_eq!(
            row(EnrollmentStage::NewLead, PinState::NotApplicable).actions(StaffRole::Agent),
            always
        );
        // Verifiers send no links.
        assert_eq!(enrolling.actions(StaffRole::Verifier), always);
        assert_eq!(
            enrolling.actions(StaffRole::Admin),
            enrolling.actions(StaffRole::Agent)
        );
    }

    #[test]
    fn query_validation_names_the_field() {
        assert!(
            ClientQuery::new(DashboardTab::All, "  acme ", 1).is_ok_and(|q| q.search == "acme")
        );
        let long = "x".repeat(MAX_SEARCH_CHARS + 1);
        assert!(
            matches!(ClientQuery::new(DashboardTab::All, &long, 1), Err(AppError::InvalidInput { field, .. }) if field == "search")
        );
        assert!(
            matches!(ClientQuery::new(DashboardTab::All, "", 0), Err(AppError::InvalidInput { field, .. }) if field == "page")
        );
        assert!(ClientQuery::new(DashboardTab::All, "a\u{0}b", 1).is_err());
    }

    #[test]
    fn offsets_and_page_counts() {
        let q = ClientQuery::new(DashboardTab::All, "", 3).unwrap();
        assert_eq!(q.offset(), 40);
        let page = ClientPage {
            query: q,
            rows: vec![],
            total: 41,
            viewer: crate::staff::StaffRole::Agent,
        };
        assert_eq!(page.page_count(), 3);
        let empty = ClientPage { total: 0, ..page };
        assert_eq!(empty.page_count(), 1);
    }

    #[test]
    fn pin_workflow_for_brands_in_scope_from_currently_enrolling_on() {
        let none = PinFacts::default();
        let set = PinFacts {
            has_pin: true,
            ..none
        };
        use EnrollmentStage::*;
        assert_eq!(
            PinState::for_client(true, CurrentlyEnrolling, none),
            PinState::NoPin
        );
        assert_eq!(
            PinState::for_client(true, NewLead, set),
            PinState::NotApplicable
        );
        assert_eq!(PinState::for_client(true, Enrolled, set), PinState::PinSet);
        assert_eq!(
            PinState::for_client(false, CurrentlyEnrolling, set),
            PinState::NotApplicable
        );
    }

    #[test]
    fn a_pin_outranks_a_reset_which_outranks_a_link() {
        let s = |has_pin, reset_started, link_out| {
            PinState::for_client(
                true,
                EnrollmentStage::CurrentlyEnrolling,
                PinFacts {
                    has_pin,
                    reset_started,
                    link_out,
                },
            )
        };
        assert_eq!(s(false, false, true), PinState::LinkSent);
        assert_eq!(s(false, true, true), PinState::ResetPending);
        assert_eq!(s(false, true, false), PinState::ResetPending);
        assert_eq!(s(true, false, true), PinState::PinSet);
        // A PIN on file outranks a recorded reset, should the two ever be stored together.
        assert_eq!(s(true, true, false), PinState::PinSet);
        assert!(s(false, true, false).offers_reset());
        assert!(!s(false, false, true).offers_reset());
    }
}
