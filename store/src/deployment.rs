//! What a database knows of the deployment it belongs to (`deployment_marks`): whether a
//! production server has ever opened it. Settings can be changed by anyone who starts the
//! binary; the mark stays with the data, so a production database holding real clients'
//! live links is never served by a development server (whose mailbox shows them) nor
//! filled with demo accounts whose passwords are in the README.

use janus_domain::AppError;
use janus_domain::settings::Mode;
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};

use crate::entity::deployment_mark::{self, Mark};
use crate::{OrInternal, Store};

impl Store {
    /// Whether a production server has opened this database.
    pub async fn served_in_production(&self) -> Result<bool, AppError> {
        let mark = deployment_mark::Entity::find_by_id(Mark::Mode)
            .one(&self.db)
            .await
            .or_internal()?;
        Ok(mark.is_some_and(|m| m.value == Mode::Production))
    }

    /// Called by a server before it listens. A production server marks the database as
    /// production's for good; a development server refuses a database so marked.
    pub async fn claim_for_serving(&self) -> Result<(), AppError> {
        match self.settings.site.mode {
            Mode::Production => {
                let mark = deployment_mark::ActiveModel {
                    key: Set(Mark::Mode),
                    value: Set(Mode::Production),
                    recorded_at: Set(self.clock.now()),
                };
                // The first production start's time is kept.
                deployment_mark::Entity::insert(mark)
                    .on_conflict(
                        OnConflict::column(deployment_mark::Column::Key)
                            .update_column(deployment_mark::Column::Value)
                            .to_owned(),
                    )
                    .exec(&self.db)
                    .await
                    .or_internal()?;
                Ok(())
            }
            Mode::Development if self.served_in_production().await? => Err(AppError::Forbidden(
                "This database has been served in production mode; a development server \
                     (with its dev mailbox) will not open it. Set site.mode = \"production\"."
                    .into(),
            )),
            Mode::Development => Ok(()),
        }
    }

    /// Demo data (accounts whose passwords are published) only goes into a development
    /// database.
    pub(crate) async fn refuse_demo_data_in_production(&self) -> Result<(), AppError> {
        if self.settings.site.mode == Mode::Production || self.served_in_production().await? {
            return Err(AppError::Forbidden(
                "Demo data is for development databases only: this one is in production mode \
                 (by its settings or because a production server has opened it)."
                    .into(),
            ));
        }
        Ok(())
    }
}
