//! The pricing terms a device downloads with the catalog to price carts offline: the schemes
//! that can apply to the buyers its user orders for, the GST settings and those buyers' GST
//! states. They are cut to the caller, so a partner never receives a scheme aimed only at
//! other partners, and versioned by a hash of their content, so an unchanged set is not sent
//! again.

use std::collections::BTreeMap;

use dms_domain::{PartyId, TenantId};
use dms_pricing::{OrderParties, PricingTerms, Scheme};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::catalog_setup::groups_of;
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
    for party in buyers {
        let state = registered_state(registry, &party)?;
        let groups = groups_of(connection, &party)?;
        if !groups.is_empty() {
            buyer_groups.insert(party.clone(), groups);
        }
        buyer_states.insert(party, state);
    }

    let own_groups = buyer
        .and_then(|buyer| buyer_groups.get(buyer))
        .cloned()
        .unwrap_or_default();
    let schemes = current_schemes(connection)?
        .into_iter()
        .filter(|scheme| may_apply(scheme, &seller, buyer, &own_groups))
        .collect();
    Ok(PricingTerms {
        supplier_state,
        place_of_supply_basis: settings.place_of_supply_basis,
        buyer_states,
        buyer_groups,
        schemes,
    })
}

/// Returns whether `scheme` can apply to an order request from `buyer`, a member of
/// `buyer_groups` (any buyer when `None`). Order requests carry no territory, so schemes
/// requiring one never apply.
pub fn may_apply(scheme: &Scheme, seller: &PartyId, buyer: Option<&PartyId>, buyer_groups: &[String]) -> bool {
    let targeting = &scheme.targeting;
    match buyer {
        Some(buyer) => targeting.matches(&OrderParties {
            distributor_id: seller.clone(),
            partner_id: Some(buyer.clone()),
            partner_group_ids: buyer_groups.to_vec(),
            territory: None,
        }),
        None => {
            (targeting.distributor_ids.is_empty() || targeting.distributor_ids.contains(seller))
                && targeting.territories.is_empty()
        }
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
