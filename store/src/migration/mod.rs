//! Schema migrations, one per file, applied in order at start-up.

use sea_orm_migration::prelude::*;

mod m20261128_000001_create_brands;
mod m20261128_000002_create_clients;
mod m20261128_000003_create_contacts;
mod m20261128_000004_create_staff_users;
mod m20261128_000005_create_sessions;
mod m20261128_000006_create_audit_events;
mod m20261128_000007_create_client_pins;
mod m20261128_000008_create_pin_links;
mod m20261128_000009_create_two_step_codes;
mod m20261128_000010_create_verifications;
mod m20261128_000011_create_messages;
mod m20261128_000012_messages_outbox;
mod m20261129_000013_message_origin;
mod m20261129_000014_create_throttle_counters;
mod m20261129_000015_client_search;
mod m20261202_000016_create_deployment_marks;
mod m20261202_000017_pin_check_leases;
mod m20261202_000018_pin_lock_holds;
mod m20261202_000019_verified_parties;
mod m20261203_000020_contact_destinations;
mod m20261203_000021_create_caller_proofs;
mod m20261203_000022_staff_second_factors;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_brands::Migration),
            Box::new(m20261128_000002_create_clients::Migration),
            Box::new(m20261128_000003_create_contacts::Migration),
            Box::new(m20261128_000004_create_staff_users::Migration),
            Box::new(m20261128_000005_create_sessions::Migration),
            Box::new(m20261128_000006_create_audit_events::Migration),
            Box::new(m20261128_000007_create_client_pins::Migration),
            Box::new(m20261128_000008_create_pin_links::Migration),
            Box::new(m20261128_000009_create_two_step_codes::Migration),
            Box::new(m20261128_000010_create_verifications::Migration),
            Box::new(m20261128_000011_create_messages::Migration),
            Box::new(m20261128_000012_messages_outbox::Migration),
            Box::new(m20261129_000013_message_origin::Migration),
            Box::new(m20261129_000014_create_throttle_counters::Migration),
            Box::new(m20261129_000015_client_search::Migration),
            Box::new(m20261202_000016_create_deployment_marks::Migration),
            Box::new(m20261202_000017_pin_check_leases::Migration),
            Box::new(m20261202_000018_pin_lock_holds::Migration),
            Box::new(m20261202_000019_verified_parties::Migration),
            Box::new(m20261203_000020_contact_destinations::Migration),
            Box::new(m20261203_000021_create_caller_proofs::Migration),
            Box::new(m20261203_000022_staff_second_factors::Migration),
        ]
    }
}
