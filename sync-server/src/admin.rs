//! Administrative operations shared by the `dms-server admin` commands, the demo and tests.

use std::io::Read;

use dms_domain::TenantId;
use dms_domain::catalog::{RejectedRow, import_csv};

use crate::app::AppState;
use crate::error::Result;

/// Registers a tenant and creates its database file.
pub fn create_tenant(state: &AppState, tenant_id: &TenantId, name: &str) -> Result<()> {
    state.registry.create_tenant(tenant_id, name)?;
    state.hub.tenant(tenant_id)?;
    tracing::info!(tenant_id = %tenant_id, "created tenant");
    Ok(())
}

/// What a catalog import did.
pub struct CatalogImport {
    pub imported: usize,
    pub rejected: Vec<RejectedRow>,
    pub version: i64,
}

/// Imports a catalog CSV into a tenant. Good rows are stored even when others are rejected.
pub fn import_catalog(state: &AppState, tenant_id: &TenantId, reader: impl Read) -> Result<CatalogImport> {
    let report = import_csv(reader);
    let tenant = state.hub.tenant(tenant_id)?;
    let version = tenant.lock().store_mut().upsert_products(&report.products)?;
    tracing::info!(
        tenant_id = %tenant_id, imported = report.products.len(), rejected = report.rejected.len(),
        "imported catalog"
    );
    Ok(CatalogImport {
        imported: report.products.len(),
        rejected: report.rejected,
        version,
    })
}
