//! Who may read and write which document. Every sync message and every REST handler that
//! touches documents goes through these functions; handlers do no checks of their own.
//!
//! The rules in this version (roles beyond these two arrive with full logins):
//! - A **partner user** acts for one buying party. It may read and write the carts whose buyer
//!   is that party, and create carts only with that party as buyer and itself as creator.
//! - A **staff user** of the seller (a distributor's salesperson or admin) may read and write
//!   every cart in its tenant, and create carts for any buyer, as a sales rep does.
//! - A document without a schema (one made by a generic automerge-repo client) is private to
//!   the user whose device first sent it.
//! - Nobody reaches another tenant's database: a connection is bound to its token's tenant and
//!   only ever opens that tenant's file, so a cross-tenant document id is simply unknown.

use dms_documents::cart::{CartStatus, CartView};
use dms_domain::{PartyId, TenantId, UserId};
use serde::Serialize;

/// What a device's token grants: the tenant it works in and who it acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    /// The party a partner user buys for; `None` for staff.
    pub party_id: Option<PartyId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Partner,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "partner" => Some(Role::Partner),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// The stored facts about a document that access decisions need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentAccess {
    Cart { buyer_id: PartyId },
    Untyped { owner: UserId },
}

/// Whether `principal` may see (and so sync) a document.
pub fn may_read(principal: &Principal, document: &DocumentAccess) -> bool {
    match document {
        DocumentAccess::Cart { buyer_id } => match principal.role {
            Role::Staff => true,
            Role::Partner => principal.party_id.as_ref() == Some(buyer_id),
        },
        DocumentAccess::Untyped { owner } => owner == &principal.user_id,
    }
}

/// Checks a cart as it would be after applying `principal`'s changes. `before` is the cart as
/// stored, or `None` when these changes create it. Returns the reason for a refusal.
pub fn check_cart_write(principal: &Principal, before: Option<&CartView>, after: &CartView) -> Result<(), String> {
    let header = &after.header;
    if header.tenant_id != principal.tenant_id {
        return Err(format!(
            "cart {} names tenant {}, but this connection is for tenant {}",
            header.cart_id, header.tenant_id, principal.tenant_id
        ));
    }
    if principal.role == Role::Partner && principal.party_id.as_ref() != Some(&header.buyer_id) {
        return Err(format!(
            "cart {} is for buyer {}, which user {} does not act for",
            header.cart_id, header.buyer_id, principal.user_id
        ));
    }

    match before {
        None => {
            if header.created_by != principal.user_id {
                return Err(format!(
                    "cart {} claims to be created by {}, but was sent by {}",
                    header.cart_id, header.created_by, principal.user_id
                ));
            }
        }
        Some(before) => {
            if before.header != after.header {
                return Err(format!("the header of cart {} cannot change", header.cart_id));
            }
            if before.status == CartStatus::Submitted && after.status != CartStatus::Submitted {
                return Err(format!("cart {} is submitted and cannot return to draft", header.cart_id));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(party: &str) -> Principal {
        Principal {
            tenant_id: TenantId::new("acme").unwrap(),
            user_id: UserId::new("u1").unwrap(),
            role: Role::Partner,
            party_id: Some(PartyId::new(party).unwrap()),
        }
    }

    #[test]
    fn partner_reads_only_its_own_carts() {
        let own = DocumentAccess::Cart {
            buyer_id: PartyId::new("p1").unwrap(),
        };
        let other = DocumentAccess::Cart {
            buyer_id: PartyId::new("p2").unwrap(),
        };
        assert!(may_read(&partner("p1"), &own));
        assert!(!may_read(&partner("p1"), &other));
    }

    #[test]
    fn staff_reads_every_cart_but_not_private_documents() {
        let staff = Principal {
            role: Role::Staff,
            party_id: None,
            ..partner("p1")
        };
        let cart = DocumentAccess::Cart {
            buyer_id: PartyId::new("p9").unwrap(),
        };
        let private = DocumentAccess::Untyped {
            owner: UserId::new("someone-else").unwrap(),
        };
        assert!(may_read(&staff, &cart));
        assert!(!may_read(&staff, &private));
    }
}
