//! The numbers of the security rules: PIN checks and their locks, hashing, setup links,
//! 2-step codes, the verified window, contacts' cooling-off and *Prove it's us*. Each is
//! checked at start-up in `validate.rs`; their defaults are mirrored in `Leptos.toml`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PinSettings {
    /// Consecutive failed PIN checks that lock PIN verification for a client.
    pub max_failures: u32,
    pub lockout_minutes: u32,
    /// This many lock windows within `escalation_window_hours` keep PIN checks locked until
    /// a 2-step code succeeds or an admin unlocks them.
    pub escalate_after_locks: u32,
    pub escalation_window_hours: u32,
}

impl Default for PinSettings {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lockout_minutes: 15,
            escalate_after_locks: 3,
            escalation_window_hours: 24,
        }
    }
}

/// argon2id cost (OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; bounds memory at about `memory_kib × max_concurrent`.
    pub max_concurrent: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent: 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SetupLinkSettings {
    /// Random bytes in a link's token; at least 16 (128 bits, OWASP Forgot Password).
    pub token_bytes: u32,
    pub valid_hours: u32,
    /// Setup and reset links per client per `send_window_minutes` (each costs an SMS, and
    /// a flood would bury the client's inbox).
    pub max_sends: u32,
    pub send_window_minutes: u32,
}

impl Default for SetupLinkSettings {
    fn default() -> Self {
        Self {
            token_bytes: 32,
            valid_hours: 24,
            max_sends: 5,
            send_window_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TwoStepSettings {
    pub valid_minutes: u32,
    pub max_checks: u32,
    pub max_sends: u32,
    pub send_window_minutes: u32,
}

impl Default for TwoStepSettings {
    fn default() -> Self {
        Self {
            valid_minutes: 10,
            max_checks: 5,
            max_sends: 5,
            send_window_minutes: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerificationSettings {
    /// How long a successful PIN or code check keeps a client verified.
    pub window_minutes: u32,
}

impl Default for VerificationSettings {
    fn default() -> Self {
        Self { window_minutes: 60 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactSettings {
    /// After a contact's email or mobile changes, this many hours pass before a setup or
    /// reset link or a 2-step code may go to the new destination, unless an admin approves
    /// (`crate::cooling_off`). 0 turns the wait off.
    pub cooling_off_hours: u32,
}

impl Default for ContactSettings {
    fn default() -> Self {
        Self {
            cooling_off_hours: 24,
        }
    }
}

/// *Prove it's us* (`crate::prove_its_us`): how many proofs may go to one contact per
/// window, limited like 2-step codes since each costs an SMS and could be used to pester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProveItsUsSettings {
    pub max_sends: u32,
    pub send_window_minutes: u32,
}

impl Default for ProveItsUsSettings {
    fn default() -> Self {
        Self {
            max_sends: 5,
            send_window_minutes: 10,
        }
    }
}

/// How staff prove who they are beyond their password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffSettings {
    /// Who must have a second factor. Unset: everyone in production mode, nobody in
    /// development mode (so the demo signs in in one step); see
    /// [`super::Settings::second_factor_policy`]. Production refuses anything but
    /// `required`.
    pub second_factor: Option<crate::staff::second_factor::SecondFactorPolicy>,
    /// How recent a second-factor confirmation an admin action needs (step-up).
    pub step_up_minutes: u32,
}

impl Default for StaffSettings {
    fn default() -> Self {
        Self {
            second_factor: None,
            step_up_minutes: 5,
        }
    }
}
