//! The seller's catalog set-up (tenant migration 5): the category tree, partner groups, price
//! lists with their items and assignments, catalog shares, and each product's category,
//! sellable units and dated GST rates. Records are written whole by id (insert or replace)
//! and every write bumps the catalog version, so devices download their catalog again.

use std::collections::BTreeMap;

use dms_domain::{PartyId, ProductId, Timestamp};
use dms_pricing::{DatedGstRate, MAX_AMOUNT, UnitConversion};
use rusqlite::{Connection, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Result, ServerError};

mod categories;
mod groups;
mod price_lists;
mod products;
mod shares;
mod territories;

pub use categories::{categories, delete_category, put_category};
pub use groups::{delete_partner_group, groups_of, partner_groups, put_partner_group};
pub use price_lists::{delete_price_list, price_lists, put_price_list};
pub use products::{ProductPlacement, product_placement, put_product_setup};
pub use shares::{catalog_shares, delete_catalog_share, put_catalog_share};
pub use territories::{delete_territory, put_territory, territories, territory_memberships, territory_of};

/// SQL that adds a two-level category tree from the products' Category and SubCategory text
/// and files each product without a category under its sub-category. An id is the text in
/// lower case, with '-' for spaces and '/', "and" for '&', and no commas. A sub-category's id
/// is its parent's id, "--", and its own. Tenant migration 5 and every catalog import run it.
#[macro_export]
macro_rules! category_tree_from_text_sql {
    () => {
        r#"
    INSERT OR IGNORE INTO categories (category_id, parent_id, name, updated_at)
    SELECT DISTINCT lower(replace(replace(replace(replace(trim(category), ' ', '-'), '&', 'and'), ',', ''), '/', '-')),
           NULL, trim(category), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM catalog_products WHERE category_id IS NULL AND trim(category) <> '';

    INSERT OR IGNORE INTO categories (category_id, parent_id, name, updated_at)
    SELECT DISTINCT
           lower(replace(replace(replace(replace(trim(category), ' ', '-'), '&', 'and'), ',', ''), '/', '-'))
             || '--' ||
           lower(replace(replace(replace(replace(trim(sub_category), ' ', '-'), '&', 'and'), ',', ''), '/', '-')),
           lower(replace(replace(replace(replace(trim(category), ' ', '-'), '&', 'and'), ',', ''), '/', '-')),
           trim(sub_category), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM catalog_products
    WHERE category_id IS NULL AND trim(category) <> '' AND trim(sub_category) <> '';

    UPDATE catalog_products SET category_id =
           lower(replace(replace(replace(replace(trim(category), ' ', '-'), '&', 'and'), ',', ''), '/', '-'))
           || CASE WHEN trim(sub_category) = '' THEN '' ELSE '--' ||
           lower(replace(replace(replace(replace(trim(sub_category), ' ', '-'), '&', 'and'), ',', ''), '/', '-')) END
    WHERE category_id IS NULL AND trim(category) <> '';
    "#
    };
}

/// Files newly imported products under categories made from their Category and SubCategory.
pub fn attach_imported_categories(transaction: &Transaction<'_>) -> Result<()> {
    transaction.execute_batch(category_tree_from_text_sql!())?;
    Ok(())
}

/// A node of the category tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    #[serde(default)]
    pub id: String,
    /// Parent category; `None` for a top-level category.
    #[serde(default)]
    pub parent_id: Option<String>,
    pub name: String,
}

/// A named set of partners that shares price lists and catalog shares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerGroup {
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// Party ids of the member partners.
    #[serde(default)]
    pub members: Vec<PartyId>,
}

/// A sales territory: a named set of buyers that schemes can be aimed at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Territory {
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// Party ids of the member buyers; each is in no other territory.
    #[serde(default)]
    pub members: Vec<PartyId>,
}

/// The buyer, partner group or everyone a price list or a catalog share is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Partner(String),
    PartnerGroup(String),
    /// A distributor buying in its company's database.
    Distributor(String),
    /// Every buyer without a share of its own or of its groups (catalog shares only).
    Everyone,
}

impl Target {
    fn kind(&self) -> &'static str {
        match self {
            Target::Partner(_) => "partner",
            Target::PartnerGroup(_) => "partner_group",
            Target::Distributor(_) => "distributor",
            Target::Everyone => "everyone",
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Target::Partner(id) | Target::PartnerGroup(id) | Target::Distributor(id) => Some(id),
            Target::Everyone => None,
        }
    }

    fn from_row(kind: &str, id: Option<String>) -> Result<Target> {
        match (kind, id) {
            ("partner", Some(id)) => Ok(Target::Partner(id)),
            ("partner_group", Some(id)) => Ok(Target::PartnerGroup(id)),
            ("distributor", Some(id)) => Ok(Target::Distributor(id)),
            ("everyone", _) => Ok(Target::Everyone),
            (kind, id) => Err(ServerError::Corrupt(format!("target {kind} {id:?}"))),
        }
    }
}

/// A product's price on a price list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListItem {
    pub product_id: ProductId,
    /// Rupees per `unit`.
    pub price: Decimal,
    /// Unit the price is quoted in; `None` means the product's base unit.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A price list in rupees with the buyers it is assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default = "inr")]
    pub currency: String,
    #[serde(default)]
    pub items: Vec<PriceListItem>,
    #[serde(default)]
    pub assignments: Vec<Target>,
}

fn inr() -> String {
    "INR".to_owned()
}

/// Categories and products made visible to a buyer, a partner group or everyone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogShare {
    #[serde(default)]
    pub id: String,
    pub to: Target,
    /// Shared categories, each with all its sub-categories.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub products: Vec<ProductId>,
    /// Shares every product, present and future.
    #[serde(default)]
    pub all_products: bool,
}

/// A product's set-up beyond its imported row: category, units, sellable unit per channel,
/// HSN code and GST rates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSetup {
    #[serde(default)]
    pub category_id: Option<String>,
    pub base_unit: String,
    #[serde(default)]
    pub unit_conversions: Vec<UnitConversion>,
    /// Unit each channel orders in: `"distributor"` (a distributor buying from its company)
    /// or `"partner"` (a partner buying from its distributor).
    #[serde(default)]
    pub sellable_units: BTreeMap<String, String>,
    #[serde(default)]
    pub hsn: Option<String>,
    #[serde(default)]
    pub gst_rate: Option<Decimal>,
    #[serde(default)]
    pub gst_rates: Vec<DatedGstRate>,
    #[serde(default)]
    pub price_includes_gst: bool,
}

/// The channels a product can have a sellable unit for.
pub const CHANNELS: [&str; 2] = ["distributor", "partner"];

/// Checks a record id from a path: 1 to 64 ASCII letters, digits, '.', '_' or '-'.
pub fn check_id(what: &str, id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(ServerError::InvalidInput(format!(
            "{what} id {id:?} is invalid: use 1 to 64 letters, digits, '.', '_' or '-'"
        )))
    }
}

fn bump_catalog_version(connection: &Connection) -> Result<()> {
    connection.execute("UPDATE catalog_state SET version = version + 1 WHERE id = 1", [])?;
    Ok(())
}

fn now() -> String {
    Timestamp::now().to_string()
}

/// Reads named sets of buyers (partner groups, territories): `sets_sql` selects each set's id
/// and name in order, and `members_sql` the sorted party ids of the set given as `?1`.
fn member_sets(
    connection: &Connection,
    sets_sql: &str,
    members_sql: &str,
) -> Result<Vec<(String, String, Vec<PartyId>)>> {
    let mut statement = connection.prepare(sets_sql)?;
    let sets = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut members = connection.prepare(members_sql)?;
    let mut result = Vec::with_capacity(sets.len());
    for (id, name) in sets {
        let parties = members
            .query_map([&id], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(PartyId::new)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        result.push((id, name, parties));
    }
    Ok(result)
}

/// A record that schemes, price lists and catalog shares can be aimed at.
#[derive(Clone, Copy)]
enum AimedAt {
    PartnerGroup,
    Territory,
}

impl AimedAt {
    fn label(self) -> &'static str {
        match self {
            AimedAt::PartnerGroup => "partner group",
            AimedAt::Territory => "territory",
        }
    }
}

/// Rejects deleting a partner group or territory that a scheme in the book is aimed at, or
/// (for a group) that a price list or catalog share is assigned to, and names them. Each would
/// otherwise wait unseen for a new record with that id.
fn reject_if_in_use(connection: &Connection, record: AimedAt, id: &str) -> Result<()> {
    let mut users: Vec<String> = super::store::current_schemes(connection)?
        .into_iter()
        .filter(|scheme| {
            let targeting = &scheme.targeting;
            match record {
                AimedAt::Territory => targeting.territories.iter().any(|territory| territory == id),
                AimedAt::PartnerGroup => targeting.partner_group_ids.iter().any(|group| group == id),
            }
        })
        .map(|scheme| format!("scheme {}", scheme.id))
        .collect();

    if let AimedAt::PartnerGroup = record {
        let group = Target::PartnerGroup(id.to_owned());
        users.extend(
            price_lists(connection)?
                .into_iter()
                .filter(|list| list.assignments.contains(&group))
                .map(|list| format!("price list {}", list.id)),
        );
        users.extend(
            catalog_shares(connection)?
                .into_iter()
                .filter(|share| share.to == group)
                .map(|share| format!("catalog share {}", share.id)),
        );
    }

    if users.is_empty() {
        return Ok(());
    }
    Err(ServerError::Conflict(format!(
        "{} {id} is used by {}; change or remove them first",
        record.label(),
        users.join(", ")
    )))
}

fn not_found(what: &str, id: &str) -> ServerError {
    ServerError::NotFound(format!("{what} {id} does not exist"))
}

fn require_product(connection: &Connection, product: &ProductId) -> Result<()> {
    let known: Option<i64> = connection
        .query_row(
            "SELECT 1 FROM catalog_products WHERE product_id = ?1",
            [product.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    known
        .map(|_| ())
        .ok_or_else(|| ServerError::InvalidInput(format!("product {product} is not in the catalog")))
}
