//! Plain records that cross the boundary, and their conversions from the device client's types.
//!
//! Every amount and quantity is a decimal string, never a float, so an app shows exactly
//! what the Rust side computed. Amounts have two decimal places ("172.50"). Quantities are
//! normalized ("2.5", not "2.500"). Ids are strings, and timestamps are RFC 3339 strings
//! with their UTC offset.

use dms_device::{
    CartSummary, CartTotals, DeviceConfig, DeviceIdentity, FreeGoodsLine, PricedLine, PricingMethod, SchemeShown,
    SyncReport, SyncStatus, TaxSummary,
};
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

/// Method a cart's figures were computed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum PricingMethodRecord {
    /// By the pricing engine the server uses: schemes, free goods, GST and round-off.
    Engine,
    /// Catalog selling price times quantity, without schemes or GST.
    SellingPrice,
}

/// A scheme applied to a line or to the whole order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SchemeRecord {
    pub scheme_id: String,
    pub scheme_name: String,
    /// Rupees taken off, such as "34.50"; "0.00" for a scheme that gives free goods.
    pub amount: String,
    /// Explanation for people of why the scheme applied and how the amount was computed.
    pub explanation: String,
}

/// Goods a scheme gives free, valued at zero.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct FreeGoodsRecord {
    pub product_id: String,
    pub product_name: String,
    /// Quantity in `unit`, such as "1".
    pub quantity: String,
    pub unit: String,
    pub scheme_id: String,
    /// The product whose quantity earned the goods.
    pub earned_by: String,
    pub explanation: String,
}

/// GST figures of a cart priced by the engine.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TaxRecord {
    pub taxable_value: String,
    pub cgst: String,
    pub sgst: String,
    pub igst: String,
    /// Grand total minus the unrounded total, such as "-0.42".
    pub round_off: String,
    pub grand_total: String,
}

/// A cart line as this device prices it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CartLineRecord {
    pub product_id: String,
    pub product_name: String,
    /// Quantity in packs, such as "2.5".
    pub quantity: String,
    /// Price per pack, such as "172.50".
    pub unit_price: String,
    /// With the engine, the line's taxable value plus GST; otherwise unit price times
    /// quantity. Rounded to paise.
    pub line_total: String,
    /// Quantities other devices set at the same time that lost under the merge rules, so
    /// the app can show them.
    pub conflicting_quantities: Vec<String>,
    /// Unit price times quantity, before any scheme.
    pub gross_amount: String,
    /// Line schemes plus the line's share of order schemes.
    pub discount: String,
    /// Gross amount minus discount: the amount GST is computed on or backed out of.
    pub net_amount: String,
    /// GST rate in percent, such as "18"; `None` without the engine.
    pub gst_rate: Option<String>,
    /// GST of the line; "0.00" without the engine.
    pub tax: String,
    pub schemes: Vec<SchemeRecord>,
}

/// Totals of a cart as this device prices it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CartTotalsRecord {
    pub line_count: u32,
    /// Sum of the line quantities, such as "3.5".
    pub total_quantity: String,
    /// Amount payable, such as "1069.50": the grand total with the engine, else the sum of
    /// the line totals.
    pub total: String,
    pub pricing_method: PricingMethodRecord,
    /// Reason the engine was not used, for the app to show; `None` with the engine.
    pub fallback_reason: Option<String>,
    /// Sum of the lines' gross amounts.
    pub gross_amount: String,
    /// Sum of every scheme discount.
    pub discount: String,
    /// `None` without the engine.
    pub tax: Option<TaxRecord>,
    pub free_lines: Vec<FreeGoodsRecord>,
    pub order_schemes: Vec<SchemeRecord>,
    /// Ids of every scheme applied, sorted.
    pub scheme_ids: Vec<String>,
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
    /// Whether the round stored new pricing terms (schemes and GST settings).
    pub pricing_terms_updated: bool,
    /// Documents the server reported as unavailable.
    pub documents_unavailable: u32,
    /// Documents the server did not confirm before it went quiet; they stay pending.
    pub documents_unconfirmed: u32,
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
    /// Documents the server refused, with its reasons; each waits for a local edit.
    pub refused_documents: Vec<RefusedDocumentRecord>,
}

/// A document the server refused, and why.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RefusedDocumentRecord {
    pub document_id: String,
    pub reason: String,
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

impl From<PricingMethod> for PricingMethodRecord {
    fn from(method: PricingMethod) -> Self {
        match method {
            PricingMethod::Engine => PricingMethodRecord::Engine,
            PricingMethod::SellingPrice => PricingMethodRecord::SellingPrice,
        }
    }
}

impl From<SchemeShown> for SchemeRecord {
    fn from(scheme: SchemeShown) -> Self {
        Self {
            scheme_id: scheme.scheme_id,
            scheme_name: scheme.scheme_name,
            amount: scheme.amount.to_string(),
            explanation: scheme.explanation,
        }
    }
}

impl From<FreeGoodsLine> for FreeGoodsRecord {
    fn from(free: FreeGoodsLine) -> Self {
        Self {
            product_id: free.product_id.to_string(),
            product_name: free.product_name,
            quantity: free.quantity.normalize().to_string(),
            unit: free.unit,
            scheme_id: free.scheme_id,
            earned_by: free.earned_by.to_string(),
            explanation: free.explanation,
        }
    }
}

impl From<TaxSummary> for TaxRecord {
    fn from(tax: TaxSummary) -> Self {
        Self {
            taxable_value: tax.taxable_value.to_string(),
            cgst: tax.cgst.to_string(),
            sgst: tax.sgst.to_string(),
            igst: tax.igst.to_string(),
            round_off: tax.round_off.to_string(),
            grand_total: tax.grand_total.to_string(),
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
            gross_amount: line.gross_amount.to_string(),
            discount: line.discount.to_string(),
            net_amount: line.net_amount.to_string(),
            gst_rate: line.gst_rate.map(|rate| rate.normalize().to_string()),
            tax: line.tax.to_string(),
            schemes: line.schemes.into_iter().map(SchemeRecord::from).collect(),
        }
    }
}

impl From<CartTotals> for CartTotalsRecord {
    fn from(totals: CartTotals) -> Self {
        Self {
            line_count: totals.line_count,
            total_quantity: totals.total_quantity.normalize().to_string(),
            total: totals.total.to_string(),
            pricing_method: totals.pricing_method.into(),
            fallback_reason: totals.fallback_reason,
            gross_amount: totals.gross_amount.to_string(),
            discount: totals.discount.to_string(),
            tax: totals.tax.map(TaxRecord::from),
            free_lines: totals.free_lines.into_iter().map(FreeGoodsRecord::from).collect(),
            order_schemes: totals.order_schemes.into_iter().map(SchemeRecord::from).collect(),
            scheme_ids: totals.scheme_ids,
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
            pricing_terms_updated: report.pricing_terms_updated,
            documents_unavailable: report.documents_unavailable,
            documents_unconfirmed: report.documents_unconfirmed,
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
            refused_documents: status
                .refused_documents
                .into_iter()
                .map(|refused| RefusedDocumentRecord {
                    document_id: refused.document_id,
                    reason: refused.reason,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn cart_totals_format_as_decimal_strings() {
        let total: dms_domain::Money = "1069.5".parse().unwrap();
        let totals = CartTotals {
            line_count: 2,
            total_quantity: Decimal::new(3500, 3),
            total,
            pricing_method: PricingMethod::SellingPrice,
            fallback_reason: Some("products without pricing data: DM-002".to_owned()),
            gross_amount: total,
            discount: dms_domain::Money::default(),
            tax: None,
            free_lines: Vec::new(),
            order_schemes: Vec::new(),
            scheme_ids: Vec::new(),
        };
        let record = CartTotalsRecord::from(totals);
        assert_eq!(record.total_quantity, "3.5");
        assert_eq!(record.total, "1069.50");
        assert_eq!(record.discount, "0.00");
        assert_eq!(record.pricing_method, PricingMethodRecord::SellingPrice);
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
