//! Pricing administration shared by the REST handlers, the `dms-server admin` commands and
//! tests: catalog import with pricing data and export, the scheme book, the GST settings and
//! the simulation of a draft order. Like [`crate::admin`], these do no authorisation. All are
//! blocking.

use std::io::Read;

use dms_domain::catalog::{RejectedRow, import_csv};
use dms_domain::{ProductId, TenantId};
use dms_pricing::{Order, Scheme, Simulation};

use super::PricingSettings;
use super::buyer_view::{catalog_for, channel_of};
use super::catalog_csv::{assign_pricing, export_csv, read_pricing_columns};
use super::catalog_setup::{partner_groups, territories};
use super::hsn_map::HsnMap;
use super::order::TenantPricing;
use super::store::{current_schemes, priced_catalog, pricing_settings, replace_schemes, set_pricing_settings};
use crate::app::AppState;
use crate::error::{Result, ServerError};

/// Options of a catalog import that decide each product's pricing data.
#[derive(Clone, Debug, Default)]
pub struct CatalogImportOptions {
    /// Category → HSN mapping for rows without their own `HSN` and `GSTRate` cells.
    pub hsn_map: Option<HsnMap>,
    /// Whether selling prices include GST, for rows without a `PriceIncludesGST` cell.
    pub prices_include_gst: bool,
}

/// Outcome of a catalog import.
#[derive(Clone, Debug)]
pub struct CatalogImport {
    pub imported: usize,
    pub rejected: Vec<RejectedRow>,
    pub version: i64,
    /// Imported products that got an HSN code and GST rate.
    pub priced: usize,
    /// Imported products that got no pricing data from their row or the HSN map, in file
    /// order. Empty when the file has no pricing columns and no map was given, because
    /// pricing was then not asked for.
    pub unmatched: Vec<ProductId>,
    /// Catalog products without pricing data after the import, including ones imported before.
    pub without_pricing: usize,
}

/// Imports a catalog CSV into a tenant with pricing data from the file's own pricing columns
/// or the HSN map. Good rows are stored even when others are rejected; a row with invalid
/// pricing cells is rejected.
pub fn import_catalog(
    state: &AppState,
    tenant_id: &TenantId,
    mut reader: impl Read,
    options: &CatalogImportOptions,
) -> Result<CatalogImport> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let mut report = import_csv(bytes.as_slice());
    let mut problems = Vec::new();
    let cells = read_pricing_columns(&bytes, &mut problems);
    for problem in problems {
        report
            .products
            .retain(|product| product.id.as_str() != problem.product_id);
        report.rejected.push(RejectedRow {
            line: problem.line,
            product_id: Some(problem.product_id),
            reason: problem.reason,
        });
    }
    report.rejected.sort_by_key(|row| row.line);

    let asked_for_pricing = options.hsn_map.is_some() || !cells.is_empty();
    let assignment = assign_pricing(
        &report.products,
        &cells,
        options.hsn_map.as_ref(),
        options.prices_include_gst,
    );
    let unmatched = if asked_for_pricing {
        assignment.unmatched
    } else {
        Vec::new()
    };

    let tenant = state.hub.tenant(tenant_id)?;
    let mut guard = tenant.lock();
    let version = guard.store_mut().upsert_catalog(&report.products, &assignment.priced)?;
    let store = guard.store();
    let without_pricing = priced_catalog(store.connection(), store.products()?)?
        .values()
        .filter(|(_, pricing)| !pricing.is_complete())
        .count();
    drop(guard);

    tracing::info!(
        tenant_id = %tenant_id, imported = report.products.len(), rejected = report.rejected.len(),
        priced = assignment.priced.len(), unmatched = unmatched.len(), "imported catalog"
    );
    Ok(CatalogImport {
        imported: report.products.len(),
        rejected: report.rejected,
        version,
        priced: assignment.priced.len(),
        unmatched,
        without_pricing,
    })
}

/// Exports the tenant's catalog as CSV with its pricing columns.
pub fn export_catalog(state: &AppState, tenant_id: &TenantId) -> Result<String> {
    let tenant = state.hub.tenant(tenant_id)?;
    let guard = tenant.lock();
    let store = guard.store();
    export_csv(&priced_catalog(store.connection(), store.products()?)?)
}

/// Returns the schemes in the tenant's book, sorted by id.
pub fn scheme_book(state: &AppState, tenant_id: &TenantId) -> Result<Vec<Scheme>> {
    let tenant = state.hub.tenant(tenant_id)?;
    let guard = tenant.lock();
    current_schemes(guard.store().connection())
}

/// Replaces the tenant's scheme book; an invalid book is rejected and nothing is stored.
pub fn replace_scheme_book(state: &AppState, tenant_id: &TenantId, schemes: Vec<Scheme>) -> Result<Vec<Scheme>> {
    let tenant = state.hub.tenant(tenant_id)?;
    let mut guard = tenant.lock();
    check_scheme_targets(guard.store().connection(), &schemes)?;
    let book = replace_schemes(guard.store_mut().connection_mut(), schemes)?;
    tracing::info!(tenant_id = %tenant_id, schemes = book.schemes().len(), "replaced scheme book");
    Ok(book.schemes().to_vec())
}

pub fn settings(state: &AppState, tenant_id: &TenantId) -> Result<PricingSettings> {
    let tenant = state.hub.tenant(tenant_id)?;
    let guard = tenant.lock();
    pricing_settings(guard.store().connection())
}

pub fn set_settings(state: &AppState, tenant_id: &TenantId, settings: &PricingSettings) -> Result<()> {
    let tenant = state.hub.tenant(tenant_id)?;
    let guard = tenant.lock();
    set_pricing_settings(guard.store().connection(), settings)?;
    tracing::info!(tenant_id = %tenant_id, ?settings, "set pricing settings");
    Ok(())
}

/// Checks that every partner group and territory a scheme is aimed at exists. With the
/// delete checks in `catalog_setup`, no scheme is left aimed at a record that is missing.
fn check_scheme_targets(connection: &rusqlite::Connection, schemes: &[Scheme]) -> Result<()> {
    let groups: Vec<String> = partner_groups(connection)?.into_iter().map(|group| group.id).collect();
    let territories: Vec<String> = territories(connection)?
        .into_iter()
        .map(|territory| territory.id)
        .collect();
    for scheme in schemes {
        let targeting = &scheme.targeting;
        if let Some(group) = targeting.partner_group_ids.iter().find(|id| !groups.contains(id)) {
            return Err(ServerError::InvalidInput(format!(
                "scheme {} is aimed at partner group {group}, which does not exist: create it first",
                scheme.id
            )));
        }
        if let Some(territory) = targeting.territories.iter().find(|id| !territories.contains(id)) {
            return Err(ServerError::InvalidInput(format!(
                "scheme {} is aimed at territory {territory}, which does not exist: create it first",
                scheme.id
            )));
        }
    }
    Ok(())
}

/// Prices a draft order against the tenant's catalog pricing data, schemes and settings.
/// With `buyer_records`, the draft's partner groups and territory are replaced by the ones
/// the seller recorded for its buyer, so a buyer cannot see schemes aimed at others.
pub fn simulate(state: &AppState, tenant_id: &TenantId, mut order: Order, buyer_records: bool) -> Result<Simulation> {
    let registration = state
        .registry
        .organisation(tenant_id)?
        .map(|organisation| organisation.registration);
    let tenant = state.hub.tenant(tenant_id)?;
    let pricing = {
        let guard = tenant.lock();
        let store = guard.store();
        let channel = channel_of(&state.registry, tenant_id)?;
        let buyer = order.parties.partner_id.as_ref();
        let products = catalog_for(store.connection(), store.products()?, buyer, channel)?;
        TenantPricing::load(store.connection(), products, registration.as_deref(), order.date)?
    };
    if buyer_records && let Some(buyer) = &order.parties.partner_id {
        order.parties.partner_group_ids = pricing.buyer_groups.get(buyer).cloned().unwrap_or_default();
        order.parties.territory = pricing.buyer_territories.get(buyer).cloned();
    }
    pricing.simulate(tenant_id, order)
}
