//! Schema migrations, one per file, applied in order at start-up.

use sea_orm_migration::prelude::*;

mod m20261128_000001_create_brands;
mod m20261128_000002_create_clients;
mod m20261128_000003_create_contacts;
mod m20261128_000004_create_staff_users;
mod m20261128_000005_create_sessions;
mod m20261128_000006_create_audit_events;

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
        ]
    }
}
