//! Reading the message templates from their folder (one folder per message; see
//! `templates/messages/README.md`) and checking them, once, at start-up.

use std::path::Path;
use strum::IntoEnumIterator;

use janus_domain::AppError;
use janus_domain::dashboard::BrandView;
use janus_domain::messages::{LAYOUT, MessagePreviews, MessageTemplates, Template};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::clients::brand_view;
use crate::entity::brand;
use crate::{OrInternal, Store};

/// Loads and checks every template under `dir`. The error lists each problem with its
/// file, so whoever edited a template knows what to fix.
pub fn load(dir: &Path, public_url: &str) -> Result<MessageTemplates, String> {
    let paths = std::iter::once(LAYOUT.to_owned()).chain(
        Template::iter().flat_map(|t| t.files().iter().map(move |f| format!("{}/{f}", t.folder()))),
    );
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for relative in paths {
        match std::fs::read_to_string(dir.join(&relative)) {
            Ok(text) => files.push((relative, text)),
            // Reported as missing by the check, together with any other problem.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push(format!("{relative}: cannot be read ({e})")),
        }
    }
    let checked = if problems.is_empty() {
        MessageTemplates::new(files, public_url)
    } else {
        Err(problems)
    };
    checked.map_err(|problems| {
        format!(
            "the message templates in {} need fixing:\n  {}",
            dir.display(),
            problems.join("\n  ")
        )
    })
}

impl Store {
    /// Every message as a client of `brand_slug` (or of the first brand in scope) would
    /// get it, filled in with sample data (no real link or code), for the staff preview.
    pub async fn message_previews(
        &self,
        brand_slug: Option<&str>,
    ) -> Result<MessagePreviews, AppError> {
        let in_scope = &self.settings.brands.in_scope;
        let mut brands: Vec<BrandView> = brand::Entity::find()
            .filter(brand::Column::Slug.is_in(in_scope.iter().map(String::as_str)))
            .all(&self.db)
            .await
            .or_internal()?
            .iter()
            .map(brand_view)
            .collect();
        // In the order the settings list them.
        brands.sort_by_key(|b| in_scope.iter().position(|s| *s == b.slug));
        let brand = match brand_slug {
            Some(slug) => brands.iter().find(|b| b.slug == slug),
            None => brands.first(),
        }
        .cloned()
        .ok_or_else(|| AppError::NotFound("Brand".into()))?;
        let messages = self
            .templates
            .previews(
                &brand,
                &self.settings.site.public_url,
                self.settings.setup_link.valid_hours,
                self.settings.two_step.valid_minutes,
            )
            .or_internal()?;
        Ok(MessagePreviews {
            brands,
            brand,
            messages,
        })
    }
}
