//! Tenants: one SQLite database per tenant, opened on first use, and the live state of its
//! documents and connected peers.
//!
//! All of a tenant's writes go through one `std::sync::Mutex`, so there is exactly one writer
//! per database and the check "does this cart already have an order request?" cannot race.
//! The lock is only ever taken inside `spawn_blocking`, never on an async thread, because it
//! is held across SQLite commits.

pub mod field_documents;
pub mod field_store;
pub mod reconcile;
pub mod schema;
pub mod store;
pub mod sync_engine;
pub mod waiting_changes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use dms_domain::TenantId;

use crate::error::{Result, ServerError};
use crate::registry::Registry;
pub use sync_engine::{Outbound, PeerKey, SyncFault, TenantState};

/// Opens tenant databases on demand and hands out shared handles to them.
pub struct TenantHub {
    data_dir: PathBuf,
    registry: Arc<Registry>,
    tenants: Mutex<HashMap<TenantId, Arc<Tenant>>>,
}

/// One tenant's database and live sync state.
pub struct Tenant {
    pub id: TenantId,
    state: Mutex<TenantState>,
}

impl TenantHub {
    pub fn new(data_dir: PathBuf, registry: Arc<Registry>) -> TenantHub {
        TenantHub {
            data_dir,
            registry,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    /// Path of a tenant's database file. Tenant ids are validated to be safe file names.
    pub fn database_path(&self, tenant_id: &TenantId) -> PathBuf {
        self.data_dir.join("tenants").join(format!("{tenant_id}.sqlite"))
    }

    /// Returns the tenant, opening its database if this is the first use. Blocking.
    pub fn tenant(&self, tenant_id: &TenantId) -> Result<Arc<Tenant>> {
        let mut tenants = lock(&self.tenants);
        if let Some(tenant) = tenants.get(tenant_id) {
            return Ok(tenant.clone());
        }
        if !self.registry.tenant_exists(tenant_id)? {
            return Err(ServerError::TenantNotFound(tenant_id.to_string()));
        }

        let path = self.database_path(tenant_id);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let store = store::TenantStore::open(&path)?;
        tracing::info!(tenant_id = %tenant_id, path = %path.display(), "opened tenant database");
        let tenant = Arc::new(Tenant {
            id: tenant_id.clone(),
            state: Mutex::new(TenantState::new(tenant_id.clone(), store, self.registry.clone())),
        });
        tenants.insert(tenant_id.clone(), tenant.clone());
        Ok(tenant)
    }
}

impl Tenant {
    /// Locks the tenant's state. Call only from blocking code.
    pub fn lock(&self) -> MutexGuard<'_, TenantState> {
        lock(&self.state)
    }
}

/// Locks a mutex, recovering the data if a thread panicked while holding it: the state
/// behind these locks is rebuilt from SQLite, which a panic cannot leave half-written.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
