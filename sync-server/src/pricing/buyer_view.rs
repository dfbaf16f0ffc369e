//! A buyer's view of the seller's catalog: the products shared with it, each at the buyer's
//! price and with the sellable unit of its channel. The catalog download, order pricing and
//! the sync check of cart lines all read the catalog through [`catalog_for`].
//!
//! Visibility: while the tenant has no catalog shares, every buyer sees every product.
//! Otherwise a buyer sees what is shared with it or with its partner groups; a buyer with no
//! such share sees what is shared with everyone. A shared category includes its
//! sub-categories. The seller's staff (no buyer) see every product.
//!
//! Price, per product: the buyer's own price list (a partner's, or a distributor's in its
//! company's database), else a price list of one of its partner groups, else the catalog
//! selling price. Among lists of the same level the one with the smallest id wins.

use std::collections::{BTreeMap, BTreeSet};

use dms_domain::catalog::Product;
use dms_domain::{Money, PartyId, ProductId, TenantId};
use dms_pricing::ListRate;
use rusqlite::Connection;

use super::ProductPricing;
use super::catalog_setup::{self, PriceList, ProductPlacement, Target, groups_of, price_lists, product_placement};
use super::store::priced_catalog;
use crate::error::Result;
use crate::registry::{OrgKind, Registry};

/// Catalog rows with pricing data as one buyer sees them, by id.
pub type BuyerCatalog = BTreeMap<ProductId, (Product, ProductPricing)>;

/// Returns the channel a tenant's buyers order on: `"distributor"` in a company's database,
/// `"partner"` in a distributor's.
pub fn channel_of(registry: &Registry, tenant: &TenantId) -> Result<&'static str> {
    let kind = registry.organisation(tenant)?.map(|organisation| organisation.kind);
    Ok(match kind {
        Some(OrgKind::Company) => "distributor",
        _ => "partner",
    })
}

/// Builds the catalog `buyer` sees in this tenant, or the whole catalog at default prices
/// for the seller's staff (`None`). Every product carries the sellable unit of `channel`.
pub fn catalog_for(
    connection: &Connection,
    products: Vec<Product>,
    buyer: Option<&PartyId>,
    channel: &str,
) -> Result<BuyerCatalog> {
    let mut catalog = priced_catalog(connection, products)?;
    let placement = product_placement(connection)?;
    for (id, (_, pricing)) in catalog.iter_mut() {
        if let Some((_, units)) = placement.get(id) {
            pricing.sellable_unit = units.get(channel).cloned();
        }
    }
    // Staff get default prices here; their pricing terms carry each buyer's price lists,
    // which the device applies per cart (`PricingTerms::list_rate`).
    let Some(buyer) = buyer else {
        return Ok(catalog);
    };
    let groups = groups_of(connection, buyer)?;
    if let Some(visible) = visible_products(connection, buyer, &groups, &placement)? {
        catalog.retain(|id, _| visible.contains(id));
    }
    apply_price_lists(connection, buyer, &groups, &mut catalog)?;
    Ok(catalog)
}

/// Reads the products shared with `buyer`. Returns `None` when the tenant has no catalog
/// shares, so every product is visible.
pub fn shared_with(connection: &Connection, buyer: &PartyId) -> Result<Option<BTreeSet<ProductId>>> {
    // Checked first so that a tenant without shares does not read every product per edit.
    let any_share: bool = connection.query_row("SELECT EXISTS (SELECT 1 FROM catalog_shares)", [], |row| row.get(0))?;
    if !any_share {
        return Ok(None);
    }
    let groups = groups_of(connection, buyer)?;
    let placement = product_placement(connection)?;
    visible_products(connection, buyer, &groups, &placement)
}

fn targets_buyer(target: &Target, buyer: &PartyId, groups: &[String]) -> bool {
    match target {
        Target::Partner(id) | Target::Distributor(id) => id == buyer.as_str(),
        Target::PartnerGroup(id) => groups.contains(id),
        Target::Everyone => false,
    }
}

/// Works out the products shared with the buyer. Returns `None` when the tenant has no
/// catalog shares at all.
fn visible_products(
    connection: &Connection,
    buyer: &PartyId,
    groups: &[String],
    placement: &ProductPlacement,
) -> Result<Option<BTreeSet<ProductId>>> {
    let shares = catalog_setup::catalog_shares(connection)?;
    if shares.is_empty() {
        return Ok(None);
    }
    let own: Vec<_> = shares
        .iter()
        .filter(|share| targets_buyer(&share.to, buyer, groups))
        .collect();
    let applicable = if own.is_empty() {
        shares.iter().filter(|share| share.to == Target::Everyone).collect()
    } else {
        own
    };
    if applicable.iter().any(|share| share.all_products) {
        return Ok(Some(placement.keys().cloned().collect()));
    }

    let parents: BTreeMap<String, Option<String>> = catalog_setup::categories(connection)?
        .into_iter()
        .map(|category| (category.id, category.parent_id))
        .collect();
    let shared_categories: BTreeSet<&String> = applicable.iter().flat_map(|share| &share.categories).collect();
    let in_shared_category = |category: &Option<String>| {
        let mut current = category.clone();
        // The depth bound stops a loop should the stored tree ever contain one.
        for _ in 0..=parents.len() {
            let Some(id) = current else {
                return false;
            };
            if shared_categories.contains(&id) {
                return true;
            }
            current = parents.get(&id).cloned().flatten();
        }
        false
    };
    let mut visible: BTreeSet<ProductId> = applicable
        .iter()
        .flat_map(|share| share.products.iter().cloned())
        .collect();
    for (id, (category, _)) in placement {
        if in_shared_category(category) {
            visible.insert(id.clone());
        }
    }
    Ok(Some(visible))
}

/// Sets each product's list rate from the buyer's price lists, by the precedence in the
/// module documentation.
fn apply_price_lists(
    connection: &Connection,
    buyer: &PartyId,
    groups: &[String],
    catalog: &mut BuyerCatalog,
) -> Result<()> {
    let lists = price_lists(connection)?;
    let mut chosen = BTreeMap::new();
    // The first list to price a product keeps it.
    for list in lists_for_buyer(&lists, buyer, groups) {
        for item in &list.items {
            chosen.entry(item.product_id.clone()).or_insert(item);
        }
    }
    for (id, item) in chosen {
        let Some((product, pricing)) = catalog.get_mut(&id) else {
            continue;
        };
        let rate = ListRate {
            rate: item.price,
            unit: item.unit.clone(),
        };
        // The selling price stays per base unit, for orders priced without the engine.
        if let Some(selling_price) = pricing.apply_list_rate(&id, &rate) {
            product.selling_price = Money::from_rupees(selling_price);
        }
    }
    Ok(())
}

/// The price lists of `buyer`, a member of `groups`, in precedence order: lists assigned to
/// the buyer itself, then lists assigned to its groups, each sorted by id as `lists` is.
/// Staff devices receive this order in their pricing terms and apply it the same way.
pub fn lists_for_buyer<'a>(lists: &'a [PriceList], buyer: &PartyId, groups: &[String]) -> Vec<&'a PriceList> {
    let own = lists.iter().filter(|list| {
        list.assignments.iter().any(|target| {
            matches!(target, Target::Partner(_) | Target::Distributor(_)) && targets_buyer(target, buyer, groups)
        })
    });
    let of_groups = lists.iter().filter(|list| {
        list.assignments
            .iter()
            .any(|target| matches!(target, Target::PartnerGroup(_)) && targets_buyer(target, buyer, groups))
    });
    let mut ordered: Vec<&PriceList> = Vec::new();
    for list in own.chain(of_groups) {
        if !ordered.iter().any(|known| known.id == list.id) {
            ordered.push(list);
        }
    }
    ordered
}
