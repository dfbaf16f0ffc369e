//! Authoritative pricing of an order against the tenant's data: the engine's catalog built
//! from catalog rows with pricing data, the scheme book, and the GST settings. Reconciliation
//! prices submitted carts with it and the simulation endpoint prices draft orders with it, so
//! both give the same figures for the same order.

use std::collections::{BTreeMap, BTreeSet};

use dms_domain::catalog::Product;
use dms_domain::{PartyId, ProductId, TenantId, Timestamp};
use dms_pricing::gst::StateCode;
use dms_pricing::{Catalog, Order, Scheme, SchemeBook, Simulation, SimulationInput, simulate};
use rusqlite::Connection;
use time::Date;

use super::buyer_view::BuyerCatalog;
use super::store::{current_schemes, pricing_settings, removed_schemes};
use super::{PricingSettings, ProductPricing, state_of_gstin};
use crate::error::{Result, ServerError};
use crate::registry::Registry;

/// Everything the engine needs from a tenant, read once under the tenant lock.
pub struct TenantPricing {
    /// Engine products: the catalog rows with complete, valid pricing data.
    pub catalog: Catalog,
    /// Catalog rows by id, with their pricing data (complete or not).
    pub products: BTreeMap<ProductId, (Product, ProductPricing)>,
    /// Products whose pricing data is missing or invalid, with the reason.
    pub unpriced: BTreeMap<ProductId, String>,
    pub schemes: SchemeBook,
    /// Schemes taken out of the book and when, to explain a device total that still had them.
    pub removed_schemes: Vec<(Scheme, Timestamp)>,
    pub settings: PricingSettings,
    /// The supplier's GST state: the setting, else the state of the seller's GSTIN.
    pub supplier_state: Option<StateCode>,
    /// Partner groups by member, for schemes aimed at a group.
    pub buyer_groups: BTreeMap<PartyId, Vec<String>>,
    /// Territory by member, for schemes aimed at a territory.
    pub buyer_territories: BTreeMap<PartyId, String>,
}

impl TenantPricing {
    /// Reads the tenant's pricing data for an order dated `date`. `products` is the buyer's
    /// view of the catalog ([`super::buyer_view::catalog_for`]): its prices and the products
    /// it may order. `seller_registration` is the seller's GSTIN or registration number from
    /// the registry, used when no supplier state is set.
    pub fn load(
        connection: &Connection,
        products: BuyerCatalog,
        seller_registration: Option<&str>,
        date: Date,
    ) -> Result<Self> {
        let mut engine_products = Vec::new();
        let mut unpriced = BTreeMap::new();
        for (id, (product, pricing)) in &products {
            match pricing.engine_product(product, date) {
                Ok(engine_product) => engine_products.push(engine_product),
                Err(reason) => {
                    unpriced.insert(id.clone(), reason);
                }
            }
        }
        let catalog =
            Catalog::new(engine_products).map_err(|error| ServerError::Corrupt(format!("pricing catalog: {error}")))?;
        let schemes = SchemeBook::new(current_schemes(connection)?)
            .map_err(|error| ServerError::Corrupt(format!("stored scheme book: {error}")))?;
        let settings = pricing_settings(connection)?;
        let supplier_state = settings
            .supplier_state
            .clone()
            .or_else(|| seller_registration.and_then(state_of_gstin));
        Ok(TenantPricing {
            catalog,
            products,
            unpriced,
            schemes,
            removed_schemes: removed_schemes(connection)?,
            settings,
            supplier_state,
            buyer_groups: group_memberships(connection)?,
            buyer_territories: super::catalog_setup::territory_memberships(connection)?,
        })
    }

    /// Prices an order with the engine and explains the result. This goes through
    /// [`dms_pricing::simulate`], the one public function that returns the explanation, so
    /// the catalog and schemes are copied into its input on every call.
    pub fn price(&self, order: Order) -> dms_pricing::Result<Simulation> {
        let input = SimulationInput {
            catalog: self.catalog.clone(),
            schemes: self.schemes.schemes().to_vec(),
            gst_rates: Vec::new(),
            place_of_supply_basis: self.settings.place_of_supply_basis,
            order,
        };
        simulate(&input)
    }

    /// Prices a draft order and explains it, as the scheme simulator does. The server sets
    /// the seller (`parties.distributor_id`) and the supplier's state; the buyer, groups,
    /// territory and bill-to and ship-to states come from the draft.
    pub fn simulate(&self, tenant: &TenantId, mut order: Order) -> Result<Simulation> {
        order.parties.distributor_id = seller_party(tenant)?;
        order.supply.supplier_state = self.supplier_state.clone().ok_or_else(|| {
            ServerError::InvalidInput(format!(
                "tenant {tenant} has no supplier GST state: set it with `dms-server admin set-pricing`"
            ))
        })?;
        let without_data: Vec<String> = order
            .lines
            .iter()
            .filter_map(|line| {
                self.unpriced
                    .get(&line.product_id)
                    .map(|reason| format!("{}: {reason}", line.product_id))
            })
            .collect();
        if !without_data.is_empty() {
            return Err(ServerError::InvalidInput(format!(
                "products without pricing data cannot be simulated: {}",
                without_data.join("; ")
            )));
        }
        self.price(order)
            .map_err(|error| ServerError::InvalidInput(format!("pricing failed: {error}")))
    }

    /// Products of `ids` that the engine cannot price, with the reason.
    pub fn unpriced_among<'a>(&self, ids: impl IntoIterator<Item = &'a ProductId>) -> Vec<(ProductId, String)> {
        let wanted: BTreeSet<&ProductId> = ids.into_iter().collect();
        self.unpriced
            .iter()
            .filter(|(id, _)| wanted.contains(id))
            .map(|(id, reason)| (id.clone(), reason.clone()))
            .collect()
    }
}

/// Returns the seller's party id in orders, which is the tenant id.
pub fn seller_party(tenant: &TenantId) -> Result<PartyId> {
    Ok(PartyId::new(tenant.as_str())?)
}

/// Looks up a party's registration and returns its GST state when it is a GSTIN.
pub fn registered_state(registry: &Registry, party: &PartyId) -> Result<Option<StateCode>> {
    Ok(registry.party_registration(party)?.as_deref().and_then(state_of_gstin))
}

/// The partner groups of every member, by member.
fn group_memberships(connection: &Connection) -> Result<BTreeMap<PartyId, Vec<String>>> {
    let mut memberships: BTreeMap<PartyId, Vec<String>> = BTreeMap::new();
    for group in super::catalog_setup::partner_groups(connection)? {
        for member in group.members {
            memberships.entry(member).or_default().push(group.id.clone());
        }
    }
    Ok(memberships)
}
