//! The Janus Enrollment server: `serve` (the default), `seed-demo`, `seed-scale` and
//! `create-staff`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use janus_domain::Secret;
use janus_domain::staff::StaffRole;
use janus_store::seed::SeedOutcome;
use server::{router, settings};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "server", about = "Janus Enrollment server")]
struct Cli {
    /// The settings file; every key can also be set by environment (see the file).
    #[arg(long, env = "JANUS_SETTINGS", default_value = "Leptos.toml")]
    settings: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the app (the default).
    Serve,
    /// Migrate, then fill an empty database with demo clients and two staff accounts.
    SeedDemo,
    /// Migrate, then add a large generated dataset for load tests (demo data first if the
    /// database is empty): clients with three contacts each, PIN states and audit rows.
    SeedScale {
        /// How many clients to add.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        clients: u64,
    },
    /// Migrate, then create a staff account. The password is read from standard input.
    CreateStaff {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value = "agent")]
        role: RoleArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Agent,
    Admin,
    Verifier,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let settings = settings::load(&cli.settings)?;
    let secrets = settings::secrets(&settings)?;
    let store = server::open_store(settings, &secrets).await?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let transports = janus_store::transports::Transports::from_settings(
                &store.settings,
                settings::transport_secrets(),
            )?;
            router::serve(store, transports).await
        }
        Command::SeedDemo => match store.seed_demo().await.map_err(|e| e.to_string())? {
            SeedOutcome::Seeded { clients, contacts } => {
                println!("Seeded {clients} demo clients with {contacts} contacts.");
                println!(
                    "Staff sign-in: {} / {}",
                    janus_store::seed::DEMO_AGENT_EMAIL,
                    janus_store::seed::DEMO_AGENT_PASSWORD
                );
                println!(
                    "Admin sign-in: {} / {}",
                    janus_store::seed::DEMO_ADMIN_EMAIL,
                    janus_store::seed::DEMO_ADMIN_PASSWORD
                );
                Ok(())
            }
            SeedOutcome::AlreadyHasData => {
                println!("The database already has data; demo data was not added.");
                Ok(())
            }
        },
        Command::SeedScale { clients } => {
            let started = std::time::Instant::now();
            let o = store.seed_scale(clients).await.map_err(|e| e.to_string())?;
            println!(
                "Added {} clients, {} contacts, {} PINs and {} audit events in {:.1} s.",
                o.clients,
                o.contacts,
                o.pins,
                o.audit_events,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::CreateStaff { name, email, role } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| format!("cannot read the password: {e}"))?;
            let password = Secret::new(password.trim_end_matches(['\r', '\n']));
            let role = match role {
                RoleArg::Agent => StaffRole::Agent,
                RoleArg::Admin => StaffRole::Admin,
                RoleArg::Verifier => StaffRole::Verifier,
            };
            let new = janus_store::auth::NewStaff {
                name,
                email,
                password,
                role,
            };
            let staff = store.create_staff(new).await.map_err(|e| e.to_string())?;
            println!(
                "Created {} account for {} <{}>.",
                staff.role.label(),
                staff.name,
                staff.email
            );
            Ok(())
        }
    }
}
