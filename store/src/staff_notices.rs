//! Telling staff members by email when an admin changed how they sign in (a password
//! reset, their second factors removed), in the transaction that made the change, so a
//! takeover by someone with admin rights does not go unnoticed (ASVS 6.3.7).

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::dashboard::BrandView;
use janus_domain::messages::{Blanks, MessageKind, Template};
use sea_orm::ConnectionTrait;

use crate::entity::staff_user;
use crate::mailbox::{self, Carries, Recipient};
use crate::{OrInternal, Store};

/// What a staff notice is framed by: the product's own name and colour, and no support
/// number (staff ask their admins).
fn staff_frame() -> BrandView {
    BrandView {
        slug: "staff".into(),
        name: crate::staff_factors::ISSUER.into(),
        color: "#1d4ed8".into(),
        support_phone: String::new(),
    }
}

impl Store {
    /// Queues the notice that `change` (one sentence) happened to `user`'s sign-in.
    pub(crate) async fn tell_staff(
        &self,
        db: &impl ConnectionTrait,
        user: &staff_user::Model,
        change: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let frame = staff_frame();
        let blanks = Blanks::new(&frame, "", &user.name).with_change(change);
        let email = self
            .templates
            .email(Template::StaffAccountEmail, &blanks)
            .or_internal()?;
        let to = Recipient {
            client_id: None,
            contact_id: None,
            address: &user.email,
            carries: Carries::Nothing,
            deliver_by: None,
        };
        mailbox::queue_email(db, &self.sealer, now, MessageKind::StaffAccount, to, email)
            .await
            .or_internal()
    }
}
