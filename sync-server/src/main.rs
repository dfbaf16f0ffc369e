//! `dms-server`: run the sync server, administer tenants and tokens, or run the demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dms_domain::{PartyId, TenantId, UserId};
use dms_pricing::gst::{PlaceOfSupplyBasis, StateCode};
use dms_server::access::Module;
use dms_server::demo::{self, DemoOptions};
use dms_server::pricing::PricingSettings;
use dms_server::pricing::admin::{self as pricing_admin, CatalogImportOptions};
use dms_server::pricing::hsn_map::HsnMap;
use dms_server::{AppState, admin};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "dms-server", version, about = "Distributor management sync server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve WebSocket sync and the REST API.
    Serve {
        /// Folder holding the registry and one SQLite file per tenant.
        #[arg(long)]
        data_dir: PathBuf,
        /// Address to listen on; port 0 picks a free port, printed at start.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Administer tenants, tokens and catalogs directly on the data folder.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Start a server on loopback, run simulated field devices against it, check the outcome.
    Demo {
        /// Product catalog CSV (BigBasket layout); a small built-in catalog when absent.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Number of simulated devices.
        #[arg(long, default_value_t = 20)]
        devices: u32,
        /// Print one JSON object instead of the readable summary.
        #[arg(long)]
        json: bool,
        /// Seed for the simulated edits. The same seed makes the same edits; which concurrent
        /// edit wins depends on each phone's random actor id.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Price a draft order with the scheme simulator and explain every scheme and tax step.
    Price {
        /// JSON bundle with `catalog`, `schemes`, `gst_rates`, `place_of_supply_basis` and
        /// `order`, as in examples/pricing/simulation.json.
        file: PathBuf,
        /// Print the whole priced order as JSON instead of the explanation.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Register a tenant (a company or a distributor) and create its database.
    CreateTenant {
        #[arg(long)]
        data_dir: PathBuf,
        /// The organisation id, as onboarding returned it.
        #[arg(long, visible_alias = "org")]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Register the first company and its admin; the password is read from a file or stdin.
    BootstrapCompany {
        #[arg(long)]
        data_dir: PathBuf,
        /// Legal name of the company.
        #[arg(long)]
        name: String,
        /// GSTIN or registration number.
        #[arg(long)]
        gstin: String,
        /// Organisation id; derived from the name when absent.
        #[arg(long, visible_alias = "tenant")]
        org: Option<String>,
        #[arg(long)]
        admin_login: String,
        /// File holding the admin's password on its first line; `-` or absent reads stdin.
        #[arg(long)]
        admin_password_file: Option<PathBuf>,
        /// Licence modules for the company, comma separated (DMS); empty for none.
        #[arg(long, default_value = "DMS")]
        modules: String,
    },
    /// Issue an access token bound to one tenant for a user and print it once, creating the
    /// user and its grant if needed (for scripts and tests; devices log in instead).
    IssueToken {
        #[arg(long)]
        data_dir: PathBuf,
        /// The organisation id, as onboarding returned it.
        #[arg(long, visible_alias = "org")]
        tenant: String,
        #[arg(long)]
        user: String,
        /// A role name, or `partner` (a partner user, needs --party) or `staff` (a distributor
        /// salesperson).
        #[arg(long)]
        role: String,
        /// The buying party a partner user acts for.
        #[arg(long)]
        party: Option<String>,
    },
    /// Import a catalog CSV into a tenant; prints imported and rejected rows.
    ImportCatalog {
        #[arg(long)]
        data_dir: PathBuf,
        /// The organisation id, as onboarding returned it.
        #[arg(long, visible_alias = "org")]
        tenant: String,
        /// Category → HSN mapping CSV (Category, SubCategory, HSN, GSTRate) that gives products
        /// an HSN code and GST rate. Rows with their own HSN and GSTRate cells keep them.
        #[arg(long)]
        hsn_map: Option<PathBuf>,
        /// Whether selling prices include GST, for rows without a PriceIncludesGST cell.
        #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
        prices_include_gst: bool,
        file: PathBuf,
    },
    /// Write a tenant's catalog as CSV with its HSN, GSTRate and PriceIncludesGST columns.
    ExportCatalog {
        #[arg(long)]
        data_dir: PathBuf,
        /// The organisation id, as onboarding returned it.
        #[arg(long, visible_alias = "org")]
        tenant: String,
        /// File to write; standard output when absent.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Set a tenant's GST settings for pricing.
    SetPricing {
        #[arg(long)]
        data_dir: PathBuf,
        /// The organisation id, as onboarding returned it.
        #[arg(long, visible_alias = "org")]
        tenant: String,
        /// Two-digit GST state code where the tenant is registered, such as 27; when absent,
        /// the state of the tenant's GSTIN is used.
        #[arg(long)]
        supplier_state: Option<String>,
        /// Which address decides the place of supply: bill_to or ship_to.
        #[arg(long, default_value = "bill_to")]
        place_of_supply_basis: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo prints its own progress; its log shows only problems unless RUST_LOG says more.
    let default_filter = match cli.command {
        Command::Demo { .. } => "warn",
        _ => "info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)))
        .with_writer(std::io::stderr)
        .init();

    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match command {
        Command::Serve { data_dir, listen } => runtime.block_on(async move {
            let state = AppState::open(data_dir)?;
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("listening on http://{}", listener.local_addr()?);
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            dms_server::serve(listener, state, shutdown).await?;
            Ok(())
        }),
        Command::Admin { command } => run_admin(command),
        Command::Price { file, json } => run_price(&file, json),
        Command::Demo {
            catalog,
            devices,
            json,
            seed,
        } => runtime.block_on(async move {
            let options = DemoOptions {
                catalog,
                devices,
                seed,
                progress: !json,
            };
            let outcome = demo::run(options).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                print!("{}", outcome.summary());
            }
            if !outcome.passed() {
                anyhow::bail!("the demo's checks failed; see the figures above");
            }
            Ok(())
        }),
    }
}

/// Prices the draft order in `file` and prints the explanation, or the priced order as JSON.
fn run_price(file: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).map_err(|error| anyhow::anyhow!("cannot read {}: {error}", file.display()))?;
    let input: dms_pricing::SimulationInput = serde_json::from_str(&text)
        .map_err(|error| anyhow::anyhow!("{} is not a valid simulation bundle: {error}", file.display()))?;
    let simulation = dms_pricing::simulate(&input)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&simulation)?);
    } else {
        for line in &simulation.explanation {
            println!("{line}");
        }
    }
    Ok(())
}

/// Prints a catalog import's outcome: rejected rows on standard error, then a summary.
fn print_import(outcome: &pricing_admin::CatalogImport) {
    for rejected in &outcome.rejected {
        eprintln!("line {}: {}", rejected.line, rejected.reason);
    }
    println!(
        "imported {} products, rejected {} rows, catalog version {}",
        outcome.imported,
        outcome.rejected.len(),
        outcome.version
    );
    if outcome.priced > 0 || !outcome.unmatched.is_empty() {
        let first: Vec<&str> = outcome.unmatched.iter().take(10).map(|id| id.as_str()).collect();
        println!(
            "pricing data: {} products got an HSN code and GST rate, {} matched no HSN map row{}",
            outcome.priced,
            outcome.unmatched.len(),
            if first.is_empty() {
                String::new()
            } else {
                format!(
                    " (first: {}); they are priced at selling price without GST",
                    first.join(", ")
                )
            }
        );
    }
}

/// Reads a password from the first line of a file, or of stdin for `-` or no file. Never
/// from the command line, where other users of the machine could see it.
fn read_password(file: Option<&std::path::Path>) -> anyhow::Result<String> {
    let text = match file {
        Some(path) if path != std::path::Path::new("-") => std::fs::read_to_string(path)
            .map_err(|error| anyhow::anyhow!("cannot read password file {}: {error}", path.display()))?,
        _ => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line
        }
    };
    let password = text.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        anyhow::bail!("the password is empty");
    }
    Ok(password)
}

fn run_admin(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateTenant { data_dir, tenant, name } => {
            let state = AppState::open(data_dir)?;
            admin::create_tenant(&state, &TenantId::new(tenant.clone())?, &name)?;
            println!("created tenant {tenant}");
        }
        AdminCommand::IssueToken {
            data_dir,
            tenant,
            user,
            role,
            party,
        } => {
            let state = AppState::open(data_dir)?;
            let party = party.map(PartyId::new).transpose()?;
            let token = admin::issue_token(
                &state,
                &TenantId::new(tenant)?,
                &UserId::new(user)?,
                &role,
                party.as_ref(),
            )?;
            println!("{token}");
        }
        AdminCommand::BootstrapCompany {
            data_dir,
            name,
            gstin,
            org,
            admin_login,
            admin_password_file,
            modules,
        } => {
            let password = read_password(admin_password_file.as_deref())?;
            let modules = modules
                .split(',')
                .filter(|name| !name.trim().is_empty())
                .map(|name| Module::parse(name).ok_or_else(|| anyhow::anyhow!("unknown licence module {name:?}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let state = AppState::open(data_dir)?;
            let company =
                admin::bootstrap_company(&state, org.as_deref(), &name, &gstin, &admin_login, &password, &modules)?;
            println!(
                "bootstrapped company {} with admin {}",
                company.org_id,
                admin_login.trim().to_ascii_lowercase()
            );
        }
        AdminCommand::ImportCatalog {
            data_dir,
            tenant,
            hsn_map,
            prices_include_gst,
            file,
        } => {
            let hsn_map = hsn_map
                .map(|path| {
                    let reader = std::fs::File::open(&path)
                        .map_err(|error| anyhow::anyhow!("cannot open {}: {error}", path.display()))?;
                    Ok::<_, anyhow::Error>(HsnMap::read(reader)?)
                })
                .transpose()?;
            let state = AppState::open(data_dir)?;
            let reader = std::fs::File::open(&file)
                .map_err(|error| anyhow::anyhow!("cannot open {}: {error}", file.display()))?;
            let options = CatalogImportOptions {
                hsn_map,
                prices_include_gst,
            };
            let outcome = pricing_admin::import_catalog(&state, &TenantId::new(tenant)?, reader, &options)?;
            print_import(&outcome);
        }
        AdminCommand::ExportCatalog {
            data_dir,
            tenant,
            output,
        } => {
            let state = AppState::open(data_dir)?;
            let csv = pricing_admin::export_catalog(&state, &TenantId::new(tenant)?)?;
            match output {
                Some(path) => std::fs::write(&path, csv)
                    .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()))?,
                None => print!("{csv}"),
            }
        }
        AdminCommand::SetPricing {
            data_dir,
            tenant,
            supplier_state,
            place_of_supply_basis,
        } => {
            let place_of_supply_basis = match place_of_supply_basis.as_str() {
                "bill_to" => PlaceOfSupplyBasis::BillTo,
                "ship_to" => PlaceOfSupplyBasis::ShipTo,
                other => anyhow::bail!("--place-of-supply-basis must be bill_to or ship_to, not {other:?}"),
            };
            let settings = PricingSettings {
                supplier_state: supplier_state.map(StateCode::new).transpose()?,
                place_of_supply_basis,
            };
            let state = AppState::open(data_dir)?;
            pricing_admin::set_settings(&state, &TenantId::new(tenant.clone())?, &settings)?;
            println!("set pricing settings of tenant {tenant}");
        }
    }
    Ok(())
}
