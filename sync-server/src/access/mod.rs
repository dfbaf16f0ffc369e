//! Who may do what, decided in one place: [`authorize`].
//!
//! Every REST handler and every sync message asks [`authorize`] with the acting context
//! ([`Principal`]), an [`Action`] and the [`Resource`] it touches. The answer comes from the
//! static table in [`table`], which mirrors `docs/access-control.md` row for row (a unit test
//! compares the two). Handlers do no checks of their own.
//!
//! An acting context is one user acting in one organisation's database. How the user reaches
//! that database is its [`Standing`]: as a member of the organisation (its staff), as the
//! company overseeing a linked distributor, or as a buyer through a trading link (a partner in
//! its distributor's database, a distributor in its company's). Tenant isolation is structural
//! and happens before this module is asked: a context is only ever built for a database the
//! user's grants and links reach, and a connection only opens that one database.

pub mod field;
pub mod table;

use dms_documents::cart::{CartStatus, CartView};
use dms_domain::{PartyId, TenantId, UserId};
use serde::Serialize;

pub use table::{Rule, Scope, TABLE};

/// The acting context of a request or sync connection: who acts, in which organisation's
/// database, in what role, and for which buying party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The organisation whose database this context acts in.
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    pub standing: Standing,
    /// The buying party acted for: the partner for a partner user, the distributor's
    /// organisation id for a distributor acting in its company's database. `None` for staff.
    pub party_id: Option<PartyId>,
    /// The licence that governs this context's new orders and administrative writes.
    pub licence: LicenceState,
}

/// The six roles of the network. A user has one role per organisation it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CompanyAdmin,
    CompanySalesRep,
    DistributorAdmin,
    DistributorSalesperson,
    DeliveryDriver,
    PartnerUser,
}

/// The relation through which the acting user reaches the database it acts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Staff of the organisation that owns the database.
    Member,
    /// A company user in a distributor's database, through the company→distributor link.
    Overseer,
    /// A buyer reading and writing its own records in its seller's database.
    Buyer,
}

/// The operation a request or message performs on a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    /// Creating a cart: a new order.
    Create,
    /// Editing a draft cart or an existing record.
    Update,
    /// Submitting a cart: a new order request.
    Submit,
    /// Administrative writes: creating users, issuing licences, onboarding, revoking.
    Manage,
}

/// The kinds of record and document the table has rows for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Catalog,
    Cart,
    Untyped,
    OrderRequest,
    Users,
    Devices,
    Licences,
    Links,
    LicenceReport,
    DistributorOnboarding,
    PartnerOnboarding,
    /// A rep's visit plan document; its owner is the rep named in the header.
    VisitPlan,
    /// Reconciled visits and the visit report, over REST; the owner is the visit's rep and
    /// the buyer the visited party.
    Visits,
    /// A delivery acknowledgement document; the owner is the driver, the buyer the receiver.
    DeliveryAck,
    /// Reconciled deliveries and their reports, with the same facts as the acknowledgement.
    Deliveries,
    /// Signature and photo images referenced by acknowledgements, stored by SHA-256.
    Blobs,
    /// A business plan document shared by a company and one distributor (its buyer).
    BusinessPlan,
    /// A sales order (the seller's decision on an order request) and the buyer's order
    /// status; the buyer is the order's.
    SalesOrder,
    /// Stock per warehouse and the reservations against sales orders.
    Stock,
    /// A shipment with its transport details and status history; the buyer is the order's.
    Shipment,
    /// A GST invoice or credit note and their exports (e-invoice JSON, CSV).
    Invoice,
    /// A payment and its allocations, outstanding amounts, ageing and statements of account.
    Payment,
    /// The seller's catalog set-up: categories, partner groups, price lists, catalog shares
    /// and product units. Buyers read only their own view, through the catalog.
    CatalogSetup,
}

/// A licence module. DMS lets an organisation trade with its company or distributors; PRM
/// lets a distributor serve partners.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Module {
    Dms,
    Prm,
}

/// The state of the licence that governs an acting context, worked out at resolution time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum LicenceState {
    /// A licence is in force today with these modules.
    Active {
        organisation: TenantId,
        modules: Vec<Module>,
    },
    Expired {
        organisation: TenantId,
        valid_to: String,
    },
    Suspended {
        organisation: TenantId,
    },
    Missing {
        organisation: TenantId,
    },
}

/// The thing an action touches, with the facts the table's scopes need.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    pub kind: Kind,
    /// The buyer of a cart or order request.
    pub buyer: Option<&'a PartyId>,
    /// The user a document or device belongs to.
    pub owner: Option<&'a UserId>,
    /// Whether `owner` is a user of the organisation the context acts in and of no other:
    /// every grant it has is there. Only the `org_users` scope reads it.
    pub owner_in_org: bool,
}

/// The stored facts about a document that access decisions need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentAccess {
    Cart {
        buyer_id: PartyId,
    },
    Untyped {
        owner: UserId,
    },
    /// A visit plan belongs to the rep named in its header.
    VisitPlan {
        rep: UserId,
    },
    /// A delivery acknowledgement belongs to its driver and concerns its buyer.
    DeliveryAck {
        buyer_id: PartyId,
        driver: UserId,
    },
    /// A business plan concerns the distributor it is made with, as a buyer of the company.
    BusinessPlan {
        distributor: PartyId,
    },
}

/// The reason [`authorize`] denied an action. The `code` of each is stable and reaches clients.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("role {} may not {} {} records here", .role.as_str(), snake_case(.action), snake_case(.kind))]
    Forbidden { role: Role, action: Action, kind: Kind },

    #[error("this {} record is outside what user {user} may {}", snake_case(.kind), snake_case(.action))]
    OutOfScope { user: UserId, action: Action, kind: Kind },

    #[error("the licence of organisation {organisation} expired on {valid_to}; existing data stays readable")]
    LicenceExpired { organisation: TenantId, valid_to: String },

    #[error("the licence of organisation {organisation} is suspended; existing data stays readable")]
    LicenceSuspended { organisation: TenantId },

    #[error("organisation {organisation} has no licence; existing data stays readable")]
    LicenceMissing { organisation: TenantId },

    #[error("the licence of organisation {organisation} does not include the {module:?} module")]
    ModuleMissing { organisation: TenantId, module: Module },
}

/// Writes a variant's name as `docs/access-control.md` does: `OrderRequest` as `order_request`.
fn snake_case(value: &impl std::fmt::Debug) -> String {
    let name = format!("{value:?}");
    let mut text = String::with_capacity(name.len() + 4);
    for (index, letter) in name.chars().enumerate() {
        if letter.is_ascii_uppercase() {
            if index > 0 {
                text.push('_');
            }
            text.push(letter.to_ascii_lowercase());
        } else {
            text.push(letter);
        }
    }
    text
}

impl Denied {
    pub fn code(&self) -> &'static str {
        match self {
            Denied::Forbidden { .. } | Denied::OutOfScope { .. } => "forbidden",
            Denied::LicenceExpired { .. } => "licence_expired",
            Denied::LicenceSuspended { .. } => "licence_suspended",
            Denied::LicenceMissing { .. } => "licence_missing",
            Denied::ModuleMissing { .. } => "licence_module_missing",
        }
    }
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::CompanyAdmin,
        Role::CompanySalesRep,
        Role::DistributorAdmin,
        Role::DistributorSalesperson,
        Role::DeliveryDriver,
        Role::PartnerUser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CompanyAdmin => "company_admin",
            Role::CompanySalesRep => "company_sales_rep",
            Role::DistributorAdmin => "distributor_admin",
            Role::DistributorSalesperson => "distributor_salesperson",
            Role::DeliveryDriver => "delivery_driver",
            Role::PartnerUser => "partner_user",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether the role belongs to a company (true) or a distributor (false). Partner users
    /// belong to a distributor's database as buyers.
    pub fn is_company_role(self) -> bool {
        matches!(self, Role::CompanyAdmin | Role::CompanySalesRep)
    }
}

impl Module {
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Dms => "DMS",
            Module::Prm => "PRM",
        }
    }

    pub fn parse(text: &str) -> Option<Module> {
        match text.trim().to_ascii_uppercase().as_str() {
            "DMS" => Some(Module::Dms),
            "PRM" => Some(Module::Prm),
            _ => None,
        }
    }
}

impl LicenceState {
    /// Checks that the licence is in force and has `modules`.
    pub fn require(&self, modules: &[Module]) -> Result<(), Denied> {
        match self {
            LicenceState::Active {
                organisation,
                modules: held,
            } => match modules.iter().find(|module| !held.contains(module)) {
                Some(module) => Err(Denied::ModuleMissing {
                    organisation: organisation.clone(),
                    module: *module,
                }),
                None => Ok(()),
            },
            LicenceState::Expired { organisation, valid_to } => Err(Denied::LicenceExpired {
                organisation: organisation.clone(),
                valid_to: valid_to.clone(),
            }),
            LicenceState::Suspended { organisation } => Err(Denied::LicenceSuspended {
                organisation: organisation.clone(),
            }),
            LicenceState::Missing { organisation } => Err(Denied::LicenceMissing {
                organisation: organisation.clone(),
            }),
        }
    }
}

impl<'a> Resource<'a> {
    /// A resource of `kind` without record facts: asks whether the role may act on any
    /// record of that kind (used before listing, then each listed record is asked again).
    pub fn kind(kind: Kind) -> Resource<'a> {
        Resource {
            kind,
            buyer: None,
            owner: None,
            owner_in_org: false,
        }
    }

    pub fn cart(buyer: &'a PartyId) -> Resource<'a> {
        Resource {
            kind: Kind::Cart,
            buyer: Some(buyer),
            owner: None,
            owner_in_org: false,
        }
    }

    pub fn order_request(buyer: &'a PartyId) -> Resource<'a> {
        Resource {
            kind: Kind::OrderRequest,
            buyer: Some(buyer),
            owner: None,
            owner_in_org: false,
        }
    }

    /// A device of `owner`. `owner_in_org` tells whether every grant of `owner` is in the
    /// organisation the context acts in (see [`Scope::OrgUsers`]).
    pub fn device(owner: &'a UserId, owner_in_org: bool) -> Resource<'a> {
        Resource {
            kind: Kind::Devices,
            buyer: None,
            owner: Some(owner),
            owner_in_org,
        }
    }

    pub fn document(access: &'a DocumentAccess) -> Resource<'a> {
        match access {
            DocumentAccess::Cart { buyer_id } => Resource::cart(buyer_id),
            DocumentAccess::Untyped { owner } => Resource {
                kind: Kind::Untyped,
                buyer: None,
                owner: Some(owner),
                owner_in_org: false,
            },
            DocumentAccess::VisitPlan { rep } => Resource {
                kind: Kind::VisitPlan,
                buyer: None,
                owner: Some(rep),
                owner_in_org: false,
            },
            DocumentAccess::DeliveryAck { buyer_id, driver } => Resource::delivery(Kind::DeliveryAck, buyer_id, driver),
            DocumentAccess::BusinessPlan { distributor } => Resource {
                kind: Kind::BusinessPlan,
                buyer: Some(distributor),
                owner: None,
                owner_in_org: false,
            },
        }
    }

    /// A delivery record of `kind` (the acknowledgement, its report or one of its images):
    /// the driver owns it and the buyer received it.
    pub fn delivery(kind: Kind, buyer: &'a PartyId, driver: &'a UserId) -> Resource<'a> {
        Resource {
            kind,
            buyer: Some(buyer),
            owner: Some(driver),
            owner_in_org: false,
        }
    }

    /// An order-to-cash record of `kind` (sales order, shipment, invoice, payment) billed or
    /// shipped to `buyer`.
    pub fn buyer_record(kind: Kind, buyer: &'a PartyId) -> Resource<'a> {
        Resource {
            kind,
            buyer: Some(buyer),
            owner: None,
            owner_in_org: false,
        }
    }

    /// A reconciled visit of `rep`; `party` is the visited party, `None` for a report.
    pub fn visit(rep: &'a UserId, party: Option<&'a PartyId>) -> Resource<'a> {
        Resource {
            kind: Kind::Visits,
            buyer: party,
            owner: Some(rep),
            owner_in_org: false,
        }
    }
}

/// The one authorisation decision: may `context` do `action` to `resource`?
///
/// The table gives the scope (any record in this database, the context's own party's, the
/// user's own, or none) and the licence modules the action needs. Reads never need a
/// licence, so an expired or suspended licence hides nothing.
pub fn authorize(context: &Principal, action: Action, resource: &Resource<'_>) -> Result<(), Denied> {
    let rule = table::rule_for(context.role, context.standing, resource.kind, action);
    let forbidden = || Denied::Forbidden {
        role: context.role,
        action,
        kind: resource.kind,
    };
    let out_of_scope = || Denied::OutOfScope {
        user: context.user_id.clone(),
        action,
        kind: resource.kind,
    };

    let Some(rule) = rule else {
        return Err(forbidden());
    };
    let in_scope = match rule.scope {
        Scope::Any => true,
        Scope::OwnParty => match resource.buyer {
            Some(buyer) => context.party_id.as_ref() == Some(buyer),
            None => resource.owner.is_none(),
        },
        Scope::OwnUser => match resource.owner {
            Some(owner) => owner == &context.user_id,
            None => resource.buyer.is_none(),
        },
        Scope::OrgUsers => match resource.owner {
            Some(owner) => owner == &context.user_id || resource.owner_in_org,
            None => resource.buyer.is_none(),
        },
    };
    if !in_scope {
        return Err(out_of_scope());
    }
    if rule.modules.is_empty() {
        return Ok(());
    }
    context.licence.require(rule.modules)
}

/// Whether `context` may see (and so sync) a document.
pub fn may_read(context: &Principal, document: &DocumentAccess) -> bool {
    authorize(context, Action::Read, &Resource::document(document)).is_ok()
}

/// Checks that `context` may create (`existing_owner` is `None`) or edit an untyped document.
/// A new document belongs to its sender; an existing one to whoever first sent it.
pub fn check_untyped_write(context: &Principal, existing_owner: Option<&UserId>) -> Result<(), Denied> {
    let (action, owner) = match existing_owner {
        None => (Action::Create, &context.user_id),
        Some(owner) => (Action::Update, owner),
    };
    let access = DocumentAccess::Untyped { owner: owner.clone() };
    authorize(context, action, &Resource::document(&access))
}

/// Checks a cart as it would be after applying `context`'s changes. `before` is the cart as
/// stored, or `None` when these changes create it. Returns the reason for a refusal.
///
/// The permission part (may this role create, edit or submit a cart for this buyer, and does
/// the licence allow a new order) is [`authorize`]; the rest are integrity rules of a cart
/// that hold for everyone: it names this database's tenant, its creator is the sender, and
/// its header and a submission never change.
pub fn check_cart_write(context: &Principal, before: Option<&CartView>, after: &CartView) -> Result<(), String> {
    let header = &after.header;
    if header.tenant_id != context.tenant_id {
        return Err(format!(
            "cart {} names tenant {}, but this connection is for tenant {}",
            header.cart_id, header.tenant_id, context.tenant_id
        ));
    }

    let action = match before {
        None => Action::Create,
        Some(before) if before.status != CartStatus::Submitted && after.status == CartStatus::Submitted => {
            Action::Submit
        }
        Some(_) => Action::Update,
    };
    let resource = Resource::cart(&header.buyer_id);
    match authorize(context, action, &resource) {
        Ok(()) => {}
        Err(Denied::OutOfScope { .. }) => {
            return Err(format!(
                "cart {} is for buyer {}, which user {} does not act for",
                header.cart_id, header.buyer_id, context.user_id
            ));
        }
        Err(denied) => return Err(format!("cart {}: {} [{}]", header.cart_id, denied, denied.code())),
    }
    // A new cart that is already submitted is a new order twice over: both need the licence.
    if before.is_none() && after.status == CartStatus::Submitted {
        authorize(context, Action::Submit, &resource)
            .map_err(|denied| format!("cart {}: {} [{}]", header.cart_id, denied, denied.code()))?;
    }

    match before {
        None => {
            if header.created_by != context.user_id {
                return Err(format!(
                    "cart {} claims to be created by {}, but was sent by {}",
                    header.cart_id, header.created_by, context.user_id
                ));
            }
        }
        Some(before) => {
            if before.header != after.header {
                return Err(format!("the header of cart {} cannot change", header.cart_id));
            }
            if before.status == CartStatus::Submitted && after.status != CartStatus::Submitted {
                return Err(format!(
                    "cart {} is submitted and cannot return to draft",
                    header.cart_id
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(role: Role, standing: Standing, party: Option<&str>) -> Principal {
        Principal {
            tenant_id: TenantId::new("acme").unwrap(),
            user_id: UserId::new("u1").unwrap(),
            role,
            standing,
            party_id: party.map(|party| PartyId::new(party).unwrap()),
            licence: LicenceState::Active {
                organisation: TenantId::new("acme").unwrap(),
                modules: vec![Module::Dms, Module::Prm],
            },
        }
    }

    #[test]
    fn partner_reads_only_its_own_carts() {
        let partner = context(Role::PartnerUser, Standing::Buyer, Some("p1"));
        let own = DocumentAccess::Cart {
            buyer_id: PartyId::new("p1").unwrap(),
        };
        let other = DocumentAccess::Cart {
            buyer_id: PartyId::new("p2").unwrap(),
        };
        assert!(may_read(&partner, &own));
        assert!(!may_read(&partner, &other));
    }

    #[test]
    fn salesperson_reads_every_cart_but_not_private_documents() {
        let staff = context(Role::DistributorSalesperson, Standing::Member, None);
        let cart = DocumentAccess::Cart {
            buyer_id: PartyId::new("p9").unwrap(),
        };
        let private = DocumentAccess::Untyped {
            owner: UserId::new("someone-else").unwrap(),
        };
        assert!(may_read(&staff, &cart));
        assert!(!may_read(&staff, &private));
    }

    #[test]
    fn expired_licence_refuses_new_cart_but_allows_reading_it() {
        let mut partner = context(Role::PartnerUser, Standing::Buyer, Some("p1"));
        partner.licence = LicenceState::Expired {
            organisation: TenantId::new("acme").unwrap(),
            valid_to: "2026-01-31".to_owned(),
        };
        let buyer = PartyId::new("p1").unwrap();
        let denied = authorize(&partner, Action::Create, &Resource::cart(&buyer)).unwrap_err();
        assert_eq!(denied.code(), "licence_expired");
        assert_eq!(authorize(&partner, Action::Read, &Resource::cart(&buyer)), Ok(()));
    }

    #[test]
    fn driver_may_not_create_carts() {
        let driver = context(Role::DeliveryDriver, Standing::Member, None);
        let buyer = PartyId::new("p1").unwrap();
        let denied = authorize(&driver, Action::Create, &Resource::cart(&buyer)).unwrap_err();
        assert_eq!(denied.code(), "forbidden");
    }

    #[test]
    fn denial_messages_use_doc_names() {
        let forbidden = Denied::Forbidden {
            role: Role::PartnerUser,
            action: Action::Read,
            kind: Kind::CatalogSetup,
        };
        assert_eq!(
            forbidden.to_string(),
            "role partner_user may not read catalog_setup records here"
        );
        let out_of_scope = Denied::OutOfScope {
            user: UserId::new("kirana2-user").unwrap(),
            action: Action::Read,
            kind: Kind::OrderRequest,
        };
        assert_eq!(
            out_of_scope.to_string(),
            "this order_request record is outside what user kirana2-user may read"
        );
    }
}
