//! The messages the PIN workflow sends to clients: the setup and reset emails, the link
//! SMS, the 2-step code email and SMS, the PIN-changed notice and the contact-changed
//! notice.
//!
//! Their words live in template files, one folder per message (`templates/messages/`,
//! whose README is written for the people who edit them). This module knows which
//! messages exist, which blanks each fills in, and — with the `templates` feature, which
//! only the server turns on — renders them with MiniJinja. Loading checks every template
//! against sample data, so a broken or incomplete template stops the server at start-up
//! instead of failing a client's message later.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};

use crate::dashboard::BrandView;
use crate::ids::MessageId;
use crate::security::{DeliveryStatus, LinkPurpose};

stored_set! {
    /// How a message travels.
    pub enum Channel {
        Email,
        Sms,
    }
}

impl Channel {
    /// The name staff know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "Email",
            Self::Sms => "SMS",
        }
    }
}

stored_set! {
    /// What a message is, for the mailbox and its delivery status.
    pub enum MessageKind {
        SetupLink,
        ResetLink,
        TwoStepCode,
        PinChanged,
        /// To the addresses a contact change replaced (or, for an added Owner or Authorized
        /// Representative, to the others who speak for the business).
        ContactChanged,
        /// *Prove it's us*: the words the caller from the PEO will read aloud.
        ProveItsUs,
        /// To a staff member: an admin reset their password or second factors.
        StaffAccount,
    }
}

/// A message as the development mailbox page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub id: MessageId,
    pub at: chrono::DateTime<chrono::Utc>,
    pub channel: Channel,
    pub recipient: String,
    /// Empty for SMS.
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub status: DeliveryStatus,
    pub error: Option<String>,
}

/// One email: subject, plain text and an HTML part with inline styles only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One message rendered with sample data, for the staff preview page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreview {
    /// The template folder, as in `code-sms`.
    pub folder: String,
    pub label: String,
    /// Empty for SMS.
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// The staff preview page: the brands in scope, the one shown, and its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreviews {
    pub brands: Vec<BrandView>,
    pub brand: BrandView,
    pub messages: Vec<MessagePreview>,
}

/// Every message the workflow sends; each is one folder of template files, named by the
/// kebab-case of the variant (`pin-setup-email`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Template {
    PinSetupEmail,
    PinResetEmail,
    PinLinkSms,
    CodeEmail,
    CodeSms,
    PinChangedEmail,
    ContactChangedEmail,
    ContactChangedSms,
    ProveItsUsEmail,
    ProveItsUsSms,
    /// To a staff member, not a client: an admin changed how they sign in.
    StaffAccountEmail,
}

/// What a template must show, checked on a sample rendering when templates are loaded.
#[cfg(feature = "templates")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MustShow {
    Link,
    Code,
    /// The sentence saying what changed (`{{ change }}`).
    Change,
    /// The words the caller reads aloud (`{{ words }}`) and who is calling (`{{ staff_name }}`).
    Words,
    /// What an admin did to a staff member's sign-in (`{{ change }}`).
    StaffChange,
    Nothing,
}

impl Template {
    /// Whether it goes to a client of a brand (and so is previewed per brand), rather than
    /// to a staff member.
    pub fn is_for_clients(self) -> bool {
        self != Self::StaffAccountEmail
    }

    /// The template folder.
    pub fn folder(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PinSetupEmail => "PIN setup email",
            Self::PinResetEmail => "PIN reset email",
            Self::PinLinkSms => "Setup / reset link SMS",
            Self::CodeEmail => "2-step code email",
            Self::CodeSms => "2-step code SMS",
            Self::PinChangedEmail => "PIN-changed notice",
            Self::ContactChangedEmail => "Contact-changed notice email",
            Self::ContactChangedSms => "Contact-changed notice SMS",
            Self::ProveItsUsEmail => "Prove it's us email",
            Self::ProveItsUsSms => "Prove it's us SMS",
            Self::StaffAccountEmail => "Staff sign-in notice (to staff)",
        }
    }

    pub fn is_email(self) -> bool {
        !matches!(
            self,
            Self::PinLinkSms | Self::CodeSms | Self::ContactChangedSms | Self::ProveItsUsSms
        )
    }

    /// The files of its folder.
    pub fn files(self) -> &'static [&'static str] {
        if self.is_email() {
            &["subject.txt", "body.txt", "body.html"]
        } else {
            &["body.txt"]
        }
    }

    /// The email carrying a link of this purpose.
    pub fn link_email(purpose: LinkPurpose) -> Self {
        match purpose {
            LinkPurpose::Setup => Self::PinSetupEmail,
            LinkPurpose::Reset => Self::PinResetEmail,
        }
    }

    #[cfg(feature = "templates")]
    fn must_show(self) -> MustShow {
        match self {
            Self::PinSetupEmail | Self::PinResetEmail | Self::PinLinkSms => MustShow::Link,
            Self::CodeEmail | Self::CodeSms => MustShow::Code,
            Self::PinChangedEmail => MustShow::Nothing,
            Self::ContactChangedEmail | Self::ContactChangedSms => MustShow::Change,
            Self::ProveItsUsEmail | Self::ProveItsUsSms => MustShow::Words,
            Self::StaffAccountEmail => MustShow::StaffChange,
        }
    }
}

/// The shared frame of every HTML email.
pub const LAYOUT: &str = "_layout.html";

/// The blanks a template fills in. Which are set depends on the message; the templates'
/// README lists them for the people who edit them. Not `Debug`: it holds a live link or code.
#[derive(Clone, Serialize)]
pub struct Blanks<'a> {
    pub brand: &'a BrandView,
    pub business: &'a str,
    pub contact_name: &'a str,
    /// `setup` or `reset`, for links and the PIN-changed notice.
    pub purpose: Option<LinkPurpose>,
    pub link: Option<&'a str>,
    pub valid_hours: Option<u32>,
    pub code: Option<&'a str>,
    pub valid_minutes: Option<u32>,
    /// What a contact change did, as one sentence, for the contact-changed notice.
    pub change: Option<&'a str>,
    /// *Prove it's us*: the staff member on the phone and the words they read aloud.
    pub staff_name: Option<&'a str>,
    pub words: Option<&'a str>,
}

impl<'a> Blanks<'a> {
    /// For any message to `contact_name` of `business`; add the link or code with the
    /// methods below.
    pub fn new(brand: &'a BrandView, business: &'a str, contact_name: &'a str) -> Self {
        Self {
            brand,
            business,
            contact_name,
            purpose: None,
            link: None,
            valid_hours: None,
            code: None,
            valid_minutes: None,
            change: None,
            staff_name: None,
            words: None,
        }
    }

    pub fn with_link(self, purpose: LinkPurpose, link: &'a str, valid_hours: u32) -> Self {
        Self {
            purpose: Some(purpose),
            link: Some(link),
            valid_hours: Some(valid_hours),
            ..self
        }
    }

    pub fn with_code(self, code: &'a str, valid_minutes: u32) -> Self {
        Self {
            code: Some(code),
            valid_minutes: Some(valid_minutes),
            ..self
        }
    }

    pub fn with_change(self, change: &'a str) -> Self {
        Self {
            change: Some(change),
            ..self
        }
    }

    pub fn with_words(self, staff_name: &'a str, words: &'a str) -> Self {
        Self {
            staff_name: Some(staff_name),
            words: Some(words),
            ..self
        }
    }

    pub fn with_purpose(self, purpose: LinkPurpose) -> Self {
        Self {
            purpose: Some(purpose),
            ..self
        }
    }
}

/// Sample data for previews and for checking templates when they are loaded. The link and
/// code are obviously not real ones.
pub mod sample {
    pub const BUSINESS: &str = "Riverside Bakery & Café";
    pub const CONTACT: &str = "Ana López";
    pub const LINK_PATH: &str = "/pin/sample-link-for-preview-only";
    pub const CODE: &str = "482915";
    /// Nothing HTML would escape, so the check finds it in either part.
    pub const STAFF: &str = "Avery Morgan";
    pub const WORDS: &str = "amber falcon seven";
    pub const CHANGE: &str = "Your email address on file for Riverside Bakery was changed.";
    pub const STAFF_CHANGE: &str =
        "Jordan Blake, an admin, reset your password. Your sessions have ended.";
}

/// Escapes text for HTML element content and attribute values. Unlike MiniJinja's own
/// escaping it leaves `/` alone, so links stay readable in the HTML source.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(feature = "templates")]
pub use render::MessageTemplates;

#[cfg(feature = "templates")]
mod render;
