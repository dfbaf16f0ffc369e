//! The pricing terms a device downloads with the catalog to price carts offline: the schemes
//! that can apply to the buyers its user orders for, the GST settings and those buyers' GST
//! states. They are cut to the caller, so a partner never receives a scheme aimed only at
//! other partners, and versioned by a hash of their content, so an unchanged set is not sent
//! again.

use std::collections::{BTreeMap, BTreeSet};

use dms_domain::{PartyId, ProductId, TenantId};
use dms_pricing::{ListRate, OrderParties, PricingTerms, Scheme};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::buyer_view::lists_for_buyer;
use super::catalog_setup::{groups_of, price_lists, territory_of};
use super::order::{registered_state, seller_party};
use super::state_of_gstin;
use super::store::{current_schemes, pricing_settings};
use crate::error::{Result, ServerError};
use crate::registry::Registry;

/// Builds the terms for a user of `tenant` who orders for `buyer` (a partner user, or a
/// distributor in its company's database), or for every buyer linked to the tenant when
/// `buyer` is `None` (the seller's staff).
pub fn pricing_terms(
    connection: &Connection,
    registry: &Registry,
    tenant: &TenantId,
    buyer: Option<&PartyId>,
) -> Result<PricingTerms> {
    let seller = seller_party(tenant)?;
    let settings = pricing_settings(connection)?;
    let seller_registration = registry
        .organisation(tenant)?
        .map(|organisation| organisation.registration);
    let supplier_state = settings
        .supplier_state
        .clone()
        .or_else(|| seller_registration.as_deref().and_then(state_of_gstin));

    let buyers = match buyer {
        Some(buyer) => vec![buyer.clone()],
        None => registry
            .links_of(tenant)?
            .into_iter()
            .filter(|link| &link.seller_org == tenant)
            .map(|link| PartyId::new(link.buyer_id))
            .collect::<std::result::Result<Vec<_>, _>>()?,
    };
    let mut buyer_states = BTreeMap::new();
    let mut buyer_groups = BTreeMap::new();
    let mut buyer_territories = BTreeMap::new();
    for party in &buyers {
        let state = registered_state(registry, party)?;
        let groups = groups_of(connection, party)?;
        if !groups.is_empty() {
            buyer_groups.insert(party.clone(), groups);
        }
        if let Some(territory) = territory_of(connection, party)? {
            buyer_territories.insert(party.clone(), territory);
        }
        buyer_states.insert(party.clone(), state);
    }

    let schemes = current_schemes(connection)?
        .into_iter()
        .filter(|scheme| match buyer {
            Some(buyer) => may_apply(
                scheme,
                &seller,
                Some(&BuyerRecord {
                    party: buyer,
                    groups: buyer_groups.get(buyer).map(Vec::as_slice).unwrap_or_default(),
                    territory: buyer_territories.get(buyer).map(String::as_str),
                }),
            ),
            None => may_apply(scheme, &seller, None),
        })
        .collect();

    // A buyer's own device gets its catalog at its prices; staff price every buyer's cart,
    // so their terms carry each buyer's price lists.
    let (price_lists, buyer_price_lists) = match buyer {
        Some(_) => (BTreeMap::new(), BTreeMap::new()),
        None => staff_price_lists(connection, &buyers, &buyer_groups)?,
    };
    Ok(PricingTerms {
        supplier_state,
        place_of_supply_basis: settings.place_of_supply_basis,
        buyer_states,
        buyer_groups,
        schemes,
        buyer_territories,
        price_lists,
        buyer_price_lists,
    })
}

/// The price lists assigned to any of `buyers`, and each buyer's lists in precedence order.
type StaffPriceLists = (
    BTreeMap<String, BTreeMap<ProductId, ListRate>>,
    BTreeMap<PartyId, Vec<String>>,
);

fn staff_price_lists(
    connection: &Connection,
    buyers: &[PartyId],
    buyer_groups: &BTreeMap<PartyId, Vec<String>>,
) -> Result<StaffPriceLists> {
    let lists = price_lists(connection)?;
    let mut used = BTreeSet::new();
    let mut by_buyer = BTreeMap::new();
    for buyer in buyers {
        let groups = buyer_groups.get(buyer).map(Vec::as_slice).unwrap_or_default();
        let own: Vec<String> = lists_for_buyer(&lists, buyer, groups)
            .into_iter()
            .map(|list| list.id.clone())
            .collect();
        if own.is_empty() {
            continue;
        }
        used.extend(own.iter().cloned());
        by_buyer.insert(buyer.clone(), own);
    }
    let rates = lists
        .into_iter()
        .filter(|list| used.contains(&list.id))
        .map(|list| {
            let items = list
                .items
                .into_iter()
                .map(|item| {
                    (
                        item.product_id,
                        ListRate {
                            rate: item.price,
                            unit: item.unit,
                        },
                    )
                })
                .collect();
            (list.id, items)
        })
        .collect();
    Ok((rates, by_buyer))
}

/// One buyer as schemes are aimed: its party, partner groups and territory.
pub struct BuyerRecord<'a> {
    pub party: &'a PartyId,
    pub groups: &'a [String],
    pub territory: Option<&'a str>,
}

/// Returns whether `scheme` can apply to an order from `buyer`. With no buyer (the seller's
/// staff, who order for every buyer) only the seller has to match: the device checks the
/// rest per cart against the groups and territories in the terms.
pub fn may_apply(scheme: &Scheme, seller: &PartyId, buyer: Option<&BuyerRecord<'_>>) -> bool {
    let targeting = &scheme.targeting;
    match buyer {
        Some(buyer) => targeting.matches(&OrderParties {
            distributor_id: seller.clone(),
            partner_id: Some(buyer.party.clone()),
            partner_group_ids: buyer.groups.to_vec(),
            territory: buyer.territory.map(str::to_owned),
        }),
        None => targeting.distributor_ids.is_empty() || targeting.distributor_ids.contains(seller),
    }
}

/// Version of a set of terms: the first 16 bytes of the SHA-256 of their JSON, in hex. The
/// JSON is deterministic (structs in field order, schemes and buyers sorted), so equal terms
/// have equal versions.
pub fn terms_version(terms: &PricingTerms) -> Result<String> {
    let json = serde_json::to_vec(terms).map_err(|error| ServerError::Corrupt(format!("pricing terms: {error}")))?;
    let digest = Sha256::digest(&json);
    Ok(hex::encode(&digest[..16]))
}
