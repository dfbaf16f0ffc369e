//! Plain records that cross the boundary, and their conversions from the device client's types.
//!
//! Every amount and quantity is a decimal string, never a float, so an app shows exactly
//! what the Rust side computed. Amounts have two decimal places ("172.50"). Quantities are
//! normalized ("2.5", not "2.500"). Ids are strings, and timestamps are RFC 3339 strings
//! with their UTC offset.

use dms_device::{CartSummary, CartTotals, DeviceConfig, DeviceIdentity, PricedLine, SyncReport, SyncStatus};
use dms_domain::catalog::Product;
use dms_domain::{PartyId, TenantId, UserId};

use crate::error::DeviceClientError;

/// Connection settings and identity of a device: the server, the login token and the user.
/// Apps get these from the login response.
///
/// No `Debug`, so the access token cannot end up in a log by accident.
#[derive(Clone, uniffi::Record)]
pub struct DeviceSettings {
    /// Base URL of the server, such as `https://sync.example.in`.
    pub server_url: String,
    pub access_token: String,
    /// The login's refresh token: the device uses it once to replace a rejected access
    /// token, and keeps the new pair in its store.
    #[uniffi(default = None)]
    pub refresh_token: Option<String>,
    pub tenant_id: String,
    pub user_id: String,
    /// The party a partner user buys for. `None` for the seller's staff, who name the buyer
    /// of each cart.
    #[uniffi(default = None)]
    pub party_id: Option<String>,
    /// A stable name for this device, recorded on submissions.
    pub device_id: String,
}

/// A catalog product. Prices are per pack, in rupees.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ProductRecord {
    pub product_id: String,
    pub name: String,
    pub brand: String,
    /// Maximum retail price printed on the pack, such as "189.00".
    pub mrp: String,
    /// Price the seller charges per pack, such as "172.50".
    pub selling_price: String,
    /// Pack size as displayed, such as "1 kg" or "2 x 1 L".
    pub pack_size: String,
    pub category: String,
    pub sub_category: String,
}

/// Whether a cart can still be edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CartStatus {
    Draft,
    Submitted,
}

/// One cart as listed on the device.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CartSummaryRecord {
    pub cart_id: String,
    pub buyer_id: String,
    pub status: CartStatus,
    pub line_count: u32,
    /// Whether this device has edits to the cart that the server has not confirmed.
    pub has_unsynced_edits: bool,
}

/// A cart line priced from this device's catalog.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CartLineRecord {
    pub product_id: String,
    pub product_name: String,
    /// Quantity in packs, such as "2.5".
    pub quantity: String,
    /// Price per pack, such as "172.50".
    pub unit_price: String,
    /// Unit price times quantity, rounded to paise.
    pub line_total: String,
    /// Quantities other devices set at the same time that lost under the merge rules, so
    /// the app can show them.
    pub conflicting_quantities: Vec<String>,
}

/// Totals of a cart at this device's catalog prices.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CartTotalsRecord {
    pub line_count: u32,
    /// Sum of the line quantities, such as "3.5".
    pub total_quantity: String,
    /// Sum of the line totals, such as "1069.50".
    pub total: String,
}

/// Outcome of one sync round.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncReportRecord {
    pub documents_synced: u32,
    /// Documents this device did not have before the round.
    pub documents_received: u32,
    pub changes_received: u32,
    pub catalog_updated: bool,
    pub catalog_version: i64,
    /// Documents the server reported as unavailable.
    pub documents_unavailable: u32,
}

/// The device's sync bookkeeping, for a status line in the app.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatusRecord {
    /// Documents with edits the server has not confirmed yet.
    pub pending_documents: u32,
    /// Version of the cached catalog; `None` before the first successful sync.
    pub catalog_version: Option<i64>,
    pub catalog_products: i64,
    /// End of the last successful sync round, RFC 3339 with offset.
    pub last_sync_at: Option<String>,
    /// Error of the last sync round; `None` when it succeeded.
    pub last_sync_error: Option<String>,
}

impl DeviceSettings {
    /// Validates the ids and builds the device client's configuration.
    pub(crate) fn into_config(self) -> Result<DeviceConfig, DeviceClientError> {
        let identity = DeviceIdentity {
            tenant_id: TenantId::new(self.tenant_id)?,
            user_id: UserId::new(self.user_id)?,
            party_id: self.party_id.map(PartyId::new).transpose()?,
            device_id: self.device_id,
        };
        Ok(DeviceConfig {
            server_url: self.server_url,
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            identity,
        })
    }
}

impl From<Product> for ProductRecord {
    fn from(product: Product) -> Self {
        Self {
            product_id: product.id.to_string(),
            name: product.name,
            brand: product.brand,
            mrp: product.mrp.to_string(),
            selling_price: product.selling_price.to_string(),
            pack_size: product.pack_size.to_string(),
            category: product.category,
            sub_category: product.sub_category,
        }
    }
}

impl From<dms_documents::cart::CartStatus> for CartStatus {
    fn from(status: dms_documents::cart::CartStatus) -> Self {
        match status {
            dms_documents::cart::CartStatus::Draft => CartStatus::Draft,
            dms_documents::cart::CartStatus::Submitted => CartStatus::Submitted,
        }
    }
}

impl From<CartSummary> for CartSummaryRecord {
    fn from(summary: CartSummary) -> Self {
        Self {
            cart_id: summary.cart_id.to_string(),
            buyer_id: summary.buyer_id.to_string(),
            status: summary.status.into(),
            line_count: summary.line_count,
            has_unsynced_edits: summary.has_unsynced_edits,
        }
    }
}

impl From<PricedLine> for CartLineRecord {
    fn from(line: PricedLine) -> Self {
        Self {
            product_id: line.product_id.to_string(),
            product_name: line.product_name,
            quantity: line.quantity.to_string(),
            unit_price: line.unit_price.to_string(),
            line_total: line.line_total.to_string(),
            conflicting_quantities: line.conflicting_quantities.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<CartTotals> for CartTotalsRecord {
    fn from(totals: CartTotals) -> Self {
        Self {
            line_count: totals.line_count,
            total_quantity: totals.total_quantity.normalize().to_string(),
            total: totals.total.to_string(),
        }
    }
}

impl From<SyncReport> for SyncReportRecord {
    fn from(report: SyncReport) -> Self {
        Self {
            documents_synced: report.documents_synced,
            documents_received: report.documents_received,
            changes_received: report.changes_received,
            catalog_updated: report.catalog_updated,
            catalog_version: report.catalog_version,
            documents_unavailable: report.documents_unavailable,
        }
    }
}

impl From<SyncStatus> for SyncStatusRecord {
    fn from(status: SyncStatus) -> Self {
        Self {
            pending_documents: status.pending_documents,
            catalog_version: status.catalog_version,
            catalog_products: status.catalog_products,
            last_sync_at: status.last_sync_at.map(|at| at.to_string()),
            last_sync_error: status.last_sync_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn cart_totals_format_as_decimal_strings() {
        let totals = CartTotals {
            line_count: 2,
            total_quantity: Decimal::new(3500, 3),
            total: "1069.5".parse().unwrap(),
        };
        let record = CartTotalsRecord::from(totals);
        assert_eq!(record.total_quantity, "3.5");
        assert_eq!(record.total, "1069.50");
    }

    #[test]
    fn settings_with_invalid_tenant_are_rejected() {
        let settings = DeviceSettings {
            server_url: "http://127.0.0.1:1".to_owned(),
            access_token: "token".to_owned(),
            refresh_token: None,
            tenant_id: "../etc".to_owned(),
            user_id: "user-1".to_owned(),
            party_id: None,
            device_id: "phone-a".to_owned(),
        };
        let error = settings.into_config().err();
        assert!(
            matches!(error, Some(DeviceClientError::InvalidInput { .. })),
            "{error:?}"
        );
    }
}
