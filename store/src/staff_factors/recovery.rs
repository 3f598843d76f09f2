//! Recovery codes: ten one-time codes that stand in for the authenticator app when it is
//! lost. Each has 120 random bits, so a SHA-256 digest stores it safely (ASVS 6.5.2), and
//! spending one is a single conditional update: two requests racing with the same code
//! cannot both succeed.

use chrono::{DateTime, Utc};
use janus_domain::ids::StaffId;
use janus_domain::staff::second_factor::{
    RECOVERY_ALPHABET, RECOVERY_CODE_CHARS, RECOVERY_CODES, display_recovery_code,
};
use janus_domain::{AppError, Secret};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::OrInternal;
use crate::entity::staff_recovery_code;
use crate::tokens::token_digest;

/// A fresh set of codes, as they are shown (once) to their owner.
fn generate() -> Vec<Secret> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let code: String = (0..RECOVERY_CODE_CHARS)
                .map(|_| {
                    char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
                })
                .collect();
            Secret::new(code)
        })
        .collect()
}

/// Replaces `staff`'s recovery codes with a fresh set and returns them for display (four
/// groups of six); only their digests are kept.
pub(crate) async fn replace(
    db: &impl ConnectionTrait,
    staff: StaffId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    staff_recovery_code::Entity::delete_many()
        .filter(staff_recovery_code::Column::StaffUserId.eq(staff))
        .exec(db)
        .await
        .or_internal()?;
    let codes = generate();
    let rows = codes.iter().map(|code| staff_recovery_code::ActiveModel {
        staff_user_id: Set(staff),
        code_digest: Set(token_digest(code)),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    });
    staff_recovery_code::Entity::insert_many(rows)
        .exec(db)
        .await
        .or_internal()?;
    Ok(codes
        .iter()
        .map(|code| display_recovery_code(code.expose()))
        .collect())
}

/// Spends `code` (normalised) if it is one of `staff`'s unused codes. `false` for any
/// other code, or one already spent.
pub(crate) async fn spend(
    db: &impl ConnectionTrait,
    staff: StaffId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let spent = staff_recovery_code::Entity::update_many()
        .col_expr(staff_recovery_code::Column::UsedAt, Expr::value(now))
        .filter(staff_recovery_code::Column::StaffUserId.eq(staff))
        .filter(staff_recovery_code::Column::CodeDigest.eq(token_digest(&Secret::new(code))))
        .filter(staff_recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await
        .or_internal()?
        .rows_affected;
    Ok(spent == 1)
}

/// How many of `staff`'s codes are still unused.
pub(crate) async fn left(db: &impl ConnectionTrait, staff: StaffId) -> Result<u32, AppError> {
    let n = staff_recovery_code::Entity::find()
        .filter(staff_recovery_code::Column::StaffUserId.eq(staff))
        .filter(staff_recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await
        .or_internal()?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Removes every code of `staff` (the authenticator app went with them).
pub(crate) async fn remove_all(db: &impl ConnectionTrait, staff: StaffId) -> Result<(), AppError> {
    staff_recovery_code::Entity::delete_many()
        .filter(staff_recovery_code::Column::StaffUserId.eq(staff))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use janus_domain::staff::second_factor::normalize_recovery_code;

    #[test]
    fn codes_are_distinct_and_read_back_as_shown() {
        let codes = super::generate();
        assert_eq!(codes.len(), 10);
        let mut seen: Vec<&str> = codes.iter().map(|c| c.expose()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 10);
        for code in &codes {
            let shown = janus_domain::staff::second_factor::display_recovery_code(code.expose());
            assert_eq!(
                normalize_recovery_code(&shown).as_deref(),
                Some(code.expose())
            );
        }
    }
}
