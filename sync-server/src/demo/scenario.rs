//! The demo scenario, step by step.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use dms_device::{Device, DeviceConfig, DeviceIdentity};
use dms_documents::DocumentId;
use dms_domain::catalog::Product;
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, TenantId, UserId};

use crate::admin;
use crate::app::AppState;
use crate::demo::logins::{self, Api, DISTRIBUTOR};
use crate::demo::rng::DemoRng;
use crate::demo::verify::{self, EditEffect, EditRecord};
use crate::demo::{BUILTIN_CATALOG, DemoOptions, DemoOutcome};
use crate::demo::{field, order_to_cash};

const EDITS_PER_DEVICE: u32 = 6;
/// Products each partner's phones choose from, so that the two phones often touch one line.
const PRODUCTS_PER_PARTNER: usize = 5;
const MAX_SYNC_ROUNDS: u32 = 6;

struct SimulatedDevice {
    device: Device,
    /// The cart this device edits.
    cart: CartId,
    /// Products this device picks from.
    products: Vec<Product>,
}

pub async fn run(options: DemoOptions) -> anyhow::Result<DemoOutcome> {
    let started = Instant::now();
    if options.devices == 0 {
        bail!("--devices must be at least 1");
    }
    let progress = |line: String| {
        if options.progress {
            println!("{line}");
        }
    };
    let mut outcome = DemoOutcome {
        devices: options.devices,
        ..DemoOutcome::default()
    };
    let mut rng = DemoRng::new(options.seed);

    // A fresh data folder, the company bootstrapped, and the server on a free loopback port.
    let data_dir = tempfile::tempdir().context("cannot create a temporary data folder")?;
    let state = AppState::open(data_dir.path().join("server"))?;
    let company_admin = logins::bootstrap(&state)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server_url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::app::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    progress(format!("server: listening on {server_url}"));

    // The company onboards the distributor over REST; the distributor's catalog is imported.
    let api = Api::new(&server_url);
    let distributor_admin = logins::onboard_distributor(&api, &company_admin).await?;
    let admin_token = api.login(&distributor_admin, "distributor admin laptop").await?;
    let tenant_id = TenantId::new(DISTRIBUTOR)?;
    let import = match &options.catalog {
        Some(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open catalog {}", path.display()))?;
            admin::import_catalog(&state, &tenant_id, file)?
        }
        None => admin::import_catalog(&state, &tenant_id, BUILTIN_CATALOG.as_bytes())?,
    };
    outcome.catalog_products = import.imported;
    outcome.catalog_rejected_rows = import.rejected.len();
    if import.imported == 0 {
        bail!("the catalog has no importable products");
    }
    progress(format!(
        "catalog: {} products imported, {} rows rejected",
        import.imported,
        import.rejected.len()
    ));

    // Devices, logins and the carts they share.
    let all_products = state.hub.tenant(&tenant_id)?.lock().store().products()?;
    let sales_reps = (options.devices / 5).max(u32::from(options.devices > 1));
    let partner_devices = options.devices - sales_reps;
    outcome.sales_reps = sales_reps;
    outcome.partners = partner_devices.div_ceil(2);

    // Partners onboarded (in bulk, and singly for each second user), reps created.
    let partner_logins = logins::onboard_partners(&api, &admin_token, outcome.partners).await?;
    let mut rep_logins = Vec::new();
    for number in 0..sales_reps {
        rep_logins.push(logins::create_sales_rep(&api, &admin_token, number).await?);
    }
    progress(format!(
        "onboarded: {} partners with 2 logins each, {} sales reps",
        partner_logins.len(),
        rep_logins.len()
    ));

    let mut devices: Vec<SimulatedDevice> = Vec::new();
    let mut partner_carts: HashMap<u32, CartId> = HashMap::new();
    for index in 0..options.devices {
        let is_rep = index >= partner_devices;
        let partner_number = if is_rep { index - partner_devices } else { index / 2 };
        let party = PartyId::new(format!("partner-{:03}", partner_number % outcome.partners.max(1)))?;
        let user = if is_rep {
            UserId::new(format!("rep-{:03}", partner_number))?
        } else {
            UserId::new(format!("partner-{:03}-user-{}", partner_number, index % 2))?
        };
        let login = if is_rep {
            &rep_logins[partner_number as usize]
        } else {
            &partner_logins[partner_number as usize][(index % 2) as usize]
        };
        let device_id = format!("phone-{index:03}");
        let token = api.login(login, &device_id).await?;
        let device = Device::open(
            &data_dir.path().join("devices").join(format!("{device_id}.sqlite")),
            DeviceConfig {
                server_url: server_url.clone(),
                access_token: token,
                refresh_token: None,
                identity: DeviceIdentity {
                    tenant_id: tenant_id.clone(),
                    user_id: user,
                    party_id: (!is_rep).then(|| party.clone()),
                    device_id,
                },
            },
        )?;
        device.sync_now().await.context("first sync")?;

        // The first phone of a pair (and every rep) creates a cart; the second phone finds the
        // shared cart on its next sync.
        let cart = if is_rep {
            let cart = device.create_cart(Some(party.clone()))?;
            device.sync_now().await?;
            cart
        } else if let Some(cart) = partner_carts.get(&partner_number) {
            device.sync_now().await?;
            *cart
        } else {
            let cart = device.create_cart(None)?;
            device.sync_now().await?;
            partner_carts.insert(partner_number, cart);
            cart
        };
        if device.cart(cart).is_err() {
            bail!("device {} did not receive cart {cart}", device.identity().device_id);
        }

        let pool_start =
            (partner_number as usize * PRODUCTS_PER_PARTNER + if is_rep { 3 } else { 0 }) % all_products.len();
        let products = (0..PRODUCTS_PER_PARTNER.min(all_products.len()))
            .map(|offset| all_products[(pool_start + offset) % all_products.len()].clone())
            .collect();
        devices.push(SimulatedDevice { device, cart, products });
    }
    progress(format!(
        "devices: {} online with carts ({} partners, {} sales reps)",
        devices.len(),
        outcome.partners,
        sales_reps
    ));

    // Offline: every device edits its cart with no network.
    let mut edits: Vec<EditRecord> = Vec::new();
    for simulated in &devices {
        for _ in 0..EDITS_PER_DEVICE {
            edits.push(edit_offline(simulated, &mut rng)?);
        }
    }
    outcome.edits = edits.len() as u64;
    progress(format!("offline: {} cart edits made without a connection", edits.len()));

    // Reconnect: all devices sync at once, in rounds, until every copy agrees with the server.
    outcome.sync_rounds += sync_until_converged(&devices, &state, &tenant_id).await?;
    progress(format!("reconnected: merged after {} sync rounds", outcome.sync_rounds));

    // Submit: the first phone of each pair, both phones for half of the pairs (offline, so
    // both submissions reach the server), and every rep.
    let mut submitted: Vec<CartId> = Vec::new();
    for (index, simulated) in devices.iter().enumerate() {
        let index = index as u32;
        let is_rep = index >= partner_devices;
        let first_of_pair = index.is_multiple_of(2);
        let pair_submits_twice = (index / 2).is_multiple_of(2);
        if is_rep || first_of_pair || pair_submits_twice {
            simulated.device.submit(simulated.cart)?;
            outcome.submissions += 1;
            outcome.edits += 1;
            if !submitted.contains(&simulated.cart) {
                submitted.push(simulated.cart);
            }
        }
    }
    outcome.submitted_carts = submitted.len() as u64;
    progress(format!(
        "submitted: {} carts, {} submissions",
        outcome.submitted_carts, outcome.submissions
    ));

    outcome.sync_rounds += sync_until_converged(&devices, &state, &tenant_id).await?;
    outcome.converged = converged(&devices, &state, &tenant_id)?;

    // Field documents: visits with a concurrent reschedule, deliveries with acknowledgements.
    let cast = field::FieldCast {
        api: &api,
        server_url: &server_url,
        admin: &distributor_admin,
        admin_token: &admin_token,
        reps: &rep_logins,
        partners: partner_logins.iter().map(|logins| &logins[0]).collect(),
        products: &all_products,
    };
    let field_run = field::run(&cast).await?;
    progress(format!(
        "field: {} visit plans, {} acknowledgements, {} of {} late edits after sign-off refused",
        field_run.plans, field_run.acknowledgements, field_run.late_edits_refused, field_run.late_edits_sent
    ));

    // Order to cash over REST, after the carts and field documents are settled.
    let driver = field_run
        .driver
        .as_ref()
        .map(|(login, token)| order_to_cash::DriverPhone {
            server_url: &server_url,
            login,
            token,
        });
    let money = order_to_cash::run(&api, &state, &admin_token, options.catalog.as_deref(), driver.as_ref()).await?;
    outcome.shipments_acknowledged = money.shipments_acknowledged;
    outcome.delivery_exceptions = money.delivery_exceptions;
    outcome.sales_orders = money.sales_orders;
    outcome.shipments = money.shipments;
    outcome.invoices = money.invoices;
    outcome.payments = money.payments;
    outcome.invoiced_total = money.invoiced_total.to_string();
    outcome.paid_total = money.paid_total.to_string();
    outcome.outstanding_total = money.outstanding_total.to_string();
    outcome.money_reconciles = money.invoiced_total == money.paid_total + money.outstanding_total;
    progress(format!(
        "order to cash: {} sales orders, {} shipments, {} invoices, {} payments",
        money.sales_orders, money.shipments, money.invoices, money.payments
    ));

    // Check the tenant's tables and the merge rules.
    let tenant = state.hub.tenant(&tenant_id)?;
    {
        let mut guard = tenant.lock();
        let orders = guard.store().order_requests(None)?;
        outcome.order_requests = orders.len() as u64;
        outcome.order_value = orders.iter().map(|order| order.total).sum::<Money>().to_string();
        outcome.duplicate_orders = guard.store().duplicate_order_requests()? as u64;
        outcome.late_edits = guard.store().late_edit_count()? as u64;
        outcome.documents = guard.store().document_records()?.len() as u64;

        let visits = guard.store().visits(None, None)?;
        outcome.visits = visits.len() as u64;
        outcome.visits_completed = visits.iter().filter(|visit| visit.status == "completed").count() as u64;
        let (acknowledgements, signed) = guard.store().delivery_counts()?;
        outcome.acknowledgements = acknowledgements as u64;
        outcome.acknowledgements_signed = signed as u64;
        outcome.alterations_refused = guard.store().alteration_count()? as u64;
        let acknowledged = field_run.acknowledgements + money.acknowledgements_sent;
        outcome.field_checks_passed = field_run.check_ins_kept == field_run.plans
            && outcome.visits_completed == field_run.plans
            && outcome.acknowledgements == acknowledged
            && outcome.acknowledgements_signed == acknowledged
            && money.shipments_acknowledged == money.acknowledgements_sent
            && field_run.late_edits_refused == field_run.late_edits_sent
            && outcome.alterations_refused == field_run.late_edits_sent;

        let mut by_document: HashMap<DocumentId, Vec<&EditRecord>> = HashMap::new();
        for edit in &edits {
            by_document.entry(edit.document_id).or_default().push(edit);
        }
        for (document_id, document_edits) in by_document {
            let doc = guard.document(&document_id)?;
            outcome.lost_edits += verify::lost_edits(doc, &document_edits).total();
        }
    }

    let _ = stop.send(());
    server.await.context("server task")??;
    outcome.duration_ms = started.elapsed().as_millis() as u64;
    Ok(outcome)
}

/// One random offline edit: set a quantity, add to a line, or remove a line.
fn edit_offline(simulated: &SimulatedDevice, rng: &mut DemoRng) -> anyhow::Result<EditRecord> {
    let device = &simulated.device;
    let product = &simulated.products[rng.below(simulated.products.len() as u64) as usize];
    let cart = device.cart(simulated.cart)?;
    let has_line = cart.lines.contains_key(&product.id);

    let effect = match rng.below(4) {
        0 if has_line => {
            device.remove_line(simulated.cart, &product.id)?;
            EditEffect::Remove
        }
        1 => {
            let added = quantity(1 + rng.below(5))?;
            EditEffect::Set(device.add_to_line(simulated.cart, &product.id, added)?)
        }
        _ => {
            let set = quantity(1 + rng.below(12))?;
            device.set_line(simulated.cart, &product.id, set)?;
            EditEffect::Set(set)
        }
    };

    let document_id = DocumentId::for_cart(simulated.cart);
    let heads = device.document_heads(&document_id);
    let [change] = heads.as_slice() else {
        bail!("a local edit must leave exactly one head, found {}", heads.len());
    };
    Ok(EditRecord {
        document_id,
        product_id: ProductId::clone(&product.id),
        effect,
        change: *change,
    })
}

fn quantity(value: u64) -> anyhow::Result<Quantity> {
    Ok(Quantity::new(value.into())?)
}

/// Syncs every device concurrently, round after round, until all copies match the server.
async fn sync_until_converged(
    devices: &[SimulatedDevice],
    state: &AppState,
    tenant_id: &TenantId,
) -> anyhow::Result<u32> {
    for round in 1..=MAX_SYNC_ROUNDS {
        let mut tasks = Vec::new();
        for simulated in devices {
            let device = simulated.device.clone();
            tasks.push(tokio::spawn(async move { device.sync_now().await }));
        }
        for task in tasks {
            task.await.context("sync task")??;
        }
        if converged(devices, state, tenant_id)? {
            return Ok(round);
        }
    }
    Ok(MAX_SYNC_ROUNDS)
}

/// Whether every device's copy of its cart has the server's heads.
fn converged(devices: &[SimulatedDevice], state: &AppState, tenant_id: &TenantId) -> anyhow::Result<bool> {
    let tenant: Arc<crate::tenant::Tenant> = state.hub.tenant(tenant_id)?;
    let mut guard = tenant.lock();
    for simulated in devices {
        let document_id = DocumentId::for_cart(simulated.cart);
        let server_heads = guard.document(&document_id)?.get_heads();
        if simulated.device.document_heads(&document_id) != server_heads {
            return Ok(false);
        }
    }
    Ok(true)
}
