//! Demo data for a new database: six brands (four in the PIN workflow's scope, two not),
//! 48 clients in every stage, each with 2–5 contacts, and two staff accounts.
//!
//! Generated from a fixed seed, so every newcomer sees the same clients. Email domains use
//! the reserved `.example` top-level domain and phone numbers the 555-01xx range set aside
//! for fiction, so a misconfigured transport can never reach a real person.

use chrono::Duration;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::EnrollmentStage;
use janus_domain::staff::StaffRole;
use janus_domain::{AppError, Secret};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set, TransactionTrait};
use strum::IntoEnumIterator;

use crate::auth::NewStaff;
use crate::entity::{brand, client, contact, staff_user};
use crate::{OrInternal, Store, internal};

/// The demo staff accounts, printed by the run command. Development only.
pub const DEMO_AGENT_EMAIL: &str = "agent@janus.example";
pub const DEMO_AGENT_PASSWORD: &str = "harbor-lantern-7412";
pub const DEMO_ADMIN_EMAIL: &str = "admin@janus.example";
pub const DEMO_ADMIN_PASSWORD: &str = "quiet-meadow-4821";

const BRANDS: [(&str, &str, &str, &str); 6] = [
    ("cornerstone", "Cornerstone", "#1d4ed8", "+1 (800) 555-0101"),
    ("peopaygo", "PeoPayGo", "#0f766e", "+1 (800) 555-0102"),
    ("compeo", "Compeo", "#7c3aed", "+1 (800) 555-0103"),
    ("coguardhr", "CoGuardHR", "#b45309", "+1 (800) 555-0104"),
    (
        "summit-payroll",
        "Summit Payroll",
        "#475569",
        "+1 (800) 555-0105",
    ),
    (
        "harborline-hr",
        "Harborline HR",
        "#be123c",
        "+1 (800) 555-0106",
    ),
];

pub(crate) const PLACES: [&str; 24] = [
    "Lakeside",
    "Riverbend",
    "Oak Hollow",
    "Cedar Ridge",
    "Bluebird",
    "Granite Peak",
    "Maple Street",
    "Harbor View",
    "Sunset",
    "Pinecrest",
    "Copper Canyon",
    "Willow Creek",
    "Silver Lake",
    "Redwood",
    "Northgate",
    "Prairie Wind",
    "Magnolia",
    "Stonebridge",
    "Evergreen",
    "Highland",
    "Coastal",
    "Brookside",
    "Juniper",
    "Fox Run",
];

pub(crate) const TRADES: [(&str, &str); 16] = [
    ("Dental Care", "PLLC"),
    ("Bakery", "LLC"),
    ("Auto Repair", "Inc."),
    ("Family Pharmacy", "Inc."),
    ("Landscaping", "LLC"),
    ("Veterinary Clinic", "PC"),
    ("Coffee Roasters", "LLC"),
    ("Plumbing & Heating", "Inc."),
    ("Fitness Studio", "LLC"),
    ("Montessori School", "Inc."),
    ("Brewing Company", "LLC"),
    ("Physical Therapy", "PC"),
    ("Hardware", "Co."),
    ("Accounting Group", "LLP"),
    ("Home Health", "LLC"),
    ("Electric", "Inc."),
];

pub(crate) const FIRST: [&str; 32] = [
    "Maria", "James", "Aisha", "Daniel", "Priya", "Michael", "Sofia", "Robert", "Mei", "David",
    "Fatima", "Carlos", "Emily", "Kwame", "Hannah", "Luis", "Grace", "Omar", "Olivia", "Thanh",
    "Rachel", "Andre", "Nadia", "Samuel", "Elena", "Marcus", "Yuki", "Patrick", "Leah", "Diego",
    "Chloe", "Ibrahim",
];

pub(crate) const LAST: [&str; 32] = [
    "Gonzalez",
    "Whitaker",
    "Okafor",
    "Nguyen",
    "Patel",
    "O'Brien",
    "Rossi",
    "Kowalski",
    "Chen",
    "Bennett",
    "Haddad",
    "Alvarez",
    "Larsen",
    "Mensah",
    "Schultz",
    "Ramirez",
    "Kim",
    "Farouk",
    "Sullivan",
    "Tran",
    "Goldberg",
    "Baptiste",
    "Petrova",
    "Adeyemi",
    "Moreau",
    "Henderson",
    "Tanaka",
    "Murphy",
    "Cohen",
    "Herrera",
    "Dubois",
    "Rahman",
];

const STREETS: [(&str, &str, &str); 8] = [
    ("Main St", "Springfield", "IL 62701"),
    ("Market St", "Denver", "CO 80202"),
    ("Elm Ave", "Austin", "TX 78701"),
    ("Harbor Blvd", "Tampa", "FL 33602"),
    ("Pine Rd", "Portland", "OR 97204"),
    ("Oak St", "Columbus", "OH 43215"),
    ("Broadway", "Nashville", "TN 37203"),
    ("Lake Dr", "Madison", "WI 53703"),
];

const AREA_CODES: [&str; 8] = ["217", "303", "512", "813", "503", "614", "615", "608"];

pub const CLIENTS_PER_BRAND: usize = 8;

/// What `seed_demo` did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded {
        clients: u64,
        contacts: u64,
    },
    /// The database already had clients or staff; nothing was written.
    AlreadyHasData,
}

impl Store {
    /// Fills an empty development database with demo data. Refuses to touch one that has any,
    /// and any production database.
    pub async fn seed_demo(&self) -> Result<SeedOutcome, AppError> {
        self.refuse_demo_data_in_production().await?;
        let has_clients = client::Entity::find().count(&self.db).await.or_internal()? > 0;
        let has_staff = staff_user::Entity::find()
            .count(&self.db)
            .await
            .or_internal()?
            > 0;
        if has_clients || has_staff {
            return Ok(SeedOutcome::AlreadyHasData);
        }
        let mut rng = StdRng::seed_from_u64(20_261_128);
        let now = self.clock.now();
        let txn = self.db.begin().await.or_internal()?;
        let (mut clients, mut contacts) = (0u64, 0u64);
        let mut names = PLACES
            .iter()
            .flat_map(|p| TRADES.iter().map(move |t| (*p, *t)))
            .collect::<Vec<_>>();
        names.shuffle(&mut rng);
        let mut names = names.into_iter();
        // Every brand gets every stage; the rest of its clients are mostly in enrollment.
        let stage_cycle = [
            EnrollmentStage::CurrentlyEnrolling,
            EnrollmentStage::NewLead,
            EnrollmentStage::Enrolled,
            EnrollmentStage::CurrentlyEnrolling,
            EnrollmentStage::CurrentlyEnrolling,
            EnrollmentStage::NewLead,
            EnrollmentStage::CurrentlyEnrolling,
            EnrollmentStage::Enrolled,
        ];
        for (slug, name, color, phone) in BRANDS {
            let b = brand::ActiveModel {
                slug: Set(slug.into()),
                name: Set(name.into()),
                color: Set(color.into()),
                support_phone: Set(phone.into()),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .or_internal()?;
            for stage in stage_cycle.iter().copied().take(CLIENTS_PER_BRAND) {
                let (place, (trade, suffix)) = names
                    .next()
                    .ok_or_else(|| internal("ran out of demo names"))?;
                let business = format!("{place} {trade}");
                let (street, city, state_zip) = *STREETS
                    .choose(&mut rng)
                    .ok_or_else(|| internal("no streets"))?;
                let enrolled_days_ago = rng.random_range(1..120);
                let c = client::ActiveModel {
                    brand_id: Set(b.id),
                    business_name: Set(business.clone()),
                    legal_name: Set(format!("{business} {suffix}")),
                    stage: Set(stage),
                    address: Set(format!(
                        "{} {street}, {city}, {state_zip}",
                        rng.random_range(10..9999)
                    )),
                    employee_count: Set(rng.random_range(3..180)),
                    last_synced_at: Set((stage == EnrollmentStage::Enrolled)
                        .then(|| now - Duration::days(enrolled_days_ago / 2))),
                    beia_sent_at: Set((stage == EnrollmentStage::Enrolled)
                        .then(|| now - Duration::days(enrolled_days_ago / 3))),
                    created_at: Set(now - Duration::days(enrolled_days_ago)),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .or_internal()?;
                clients += 1;
                let domain = business
                    .to_lowercase()
                    .replace(['&', '\''], "")
                    .split_whitespace()
                    .collect::<String>();
                let area = AREA_CODES
                    .choose(&mut rng)
                    .ok_or_else(|| internal("no area codes"))?;
                for role in contact_roles(&mut rng, clients as usize) {
                    let first = FIRST.choose(&mut rng).ok_or_else(|| internal("no names"))?;
                    let last = LAST.choose(&mut rng).ok_or_else(|| internal("no names"))?;
                    let local = format!(
                        "{}.{}",
                        first.to_lowercase(),
                        last.to_lowercase().replace('\'', "")
                    );
                    // Accountants are often outside firms and reachable only by email.
                    let mobile = (role != ContactRole::Accountant || rng.random_bool(0.3))
                        .then(|| format!("+1{area}55501{:02}", contacts % 100));
                    contact::ActiveModel {
                        client_id: Set(c.id),
                        name: Set(format!("{first} {last}")),
                        role: Set(role),
                        email: Set(format!("{local}@{domain}.example")),
                        mobile_phone: Set(mobile),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await
                    .or_internal()?;
                    contacts += 1;
                }
            }
        }
        txn.commit().await.or_internal()?;

        for (name, email, password, role) in [
            (
                "Avery Morgan",
                DEMO_AGENT_EMAIL,
                DEMO_AGENT_PASSWORD,
                StaffRole::Agent,
            ),
            (
                "Jordan Blake",
                DEMO_ADMIN_EMAIL,
                DEMO_ADMIN_PASSWORD,
                StaffRole::Admin,
            ),
        ] {
            let new = NewStaff {
                name: name.into(),
                email: email.into(),
                password: Secret::new(password),
                role,
            };
            self.create_staff(new).await?;
        }
        Ok(SeedOutcome::Seeded { clients, contacts })
    }
}

/// An Owner always; then 1 to 4 of the other roles. The n-th client also always gets the
/// n-th other role in turn, so every role appears across even a handful of clients.
fn contact_roles(rng: &mut StdRng, n: usize) -> Vec<ContactRole> {
    let others: Vec<ContactRole> = ContactRole::iter().skip(1).collect();
    let mut roles = vec![ContactRole::Owner, others[n % others.len()]];
    let extra = rng.random_range(0..=3);
    for role in others.choose_multiple(rng, extra) {
        if !roles.contains(role) {
            roles.push(*role);
        }
    }
    roles
}
