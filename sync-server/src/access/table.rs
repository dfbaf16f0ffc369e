//! The access table: one row per (role, standing, kind, action) that is allowed at all, with
//! the scope of records it covers and the licence modules it needs. A combination without a
//! row is denied. `docs/access-control.md` lists the same rows; the test at the end of this
//! file fails if the two differ.

use super::{Action, Kind, Module, Role, Standing};

/// Which records of a kind a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every record in the database the context acts in.
    Any,
    /// Records whose buyer is the context's party.
    OwnParty,
    /// Records that belong to the acting user (its devices, its untyped documents).
    OwnUser,
    /// Records that belong to the acting user or to another user of the organisation the
    /// context acts in whose every grant is in that organisation (its devices). A user who
    /// also buys from or works for another organisation is out of this scope.
    OrgUsers,
}

/// One allowed combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub role: Role,
    pub standing: Standing,
    pub kind: Kind,
    pub action: Action,
    pub scope: Scope,
    /// Modules the governing licence must have, in force today. Empty for reads.
    pub modules: &'static [Module],
}

const fn rule(
    role: Role,
    standing: Standing,
    kind: Kind,
    action: Action,
    scope: Scope,
    modules: &'static [Module],
) -> Rule {
    Rule {
        role,
        standing,
        kind,
        action,
        scope,
        modules,
    }
}

/// The table. Keep it in the order of `docs/access-control.md`.
pub const TABLE: &[Rule] = &[
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Catalog,
        Action::Manage,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Create,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Update,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Submit,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Devices,
        Action::Read,
        Scope::OrgUsers,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Devices,
        Action::Manage,
        Scope::OrgUsers,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Users,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Users,
        Action::Manage,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Licences,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Licences,
        Action::Manage,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::Links,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::LicenceReport,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Member,
        Kind::DistributorOnboarding,
        Action::Manage,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Users,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Licences,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Links,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanyAdmin,
        Standing::Overseer,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Cart,
        Action::Create,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Cart,
        Action::Update,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Cart,
        Action::Submit,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Member,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Overseer,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Overseer,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Overseer,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Overseer,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::CompanySalesRep,
        Standing::Overseer,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Catalog,
        Action::Manage,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Create,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Update,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Cart,
        Action::Submit,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Devices,
        Action::Read,
        Scope::OrgUsers,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Devices,
        Action::Manage,
        Scope::OrgUsers,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Users,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Users,
        Action::Manage,
        Scope::Any,
        &[Module::Dms],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Licences,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::Links,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Member,
        Kind::PartnerOnboarding,
        Action::Manage,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Cart,
        Action::Read,
        Scope::OwnParty,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Cart,
        Action::Create,
        Scope::OwnParty,
        &[Module::Dms],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Cart,
        Action::Update,
        Scope::OwnParty,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Cart,
        Action::Submit,
        Scope::OwnParty,
        &[Module::Dms],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorAdmin,
        Standing::Buyer,
        Kind::OrderRequest,
        Action::Read,
        Scope::OwnParty,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Cart,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Cart,
        Action::Create,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Cart,
        Action::Update,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Cart,
        Action::Submit,
        Scope::Any,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DistributorSalesperson,
        Standing::Member,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::DeliveryDriver,
        Standing::Member,
        Kind::OrderRequest,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Catalog,
        Action::Read,
        Scope::Any,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Cart,
        Action::Read,
        Scope::OwnParty,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Cart,
        Action::Create,
        Scope::OwnParty,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Cart,
        Action::Update,
        Scope::OwnParty,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Cart,
        Action::Submit,
        Scope::OwnParty,
        &[Module::Dms, Module::Prm],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Untyped,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Untyped,
        Action::Create,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Untyped,
        Action::Update,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Devices,
        Action::Read,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::Devices,
        Action::Manage,
        Scope::OwnUser,
        &[],
    ),
    rule(
        Role::PartnerUser,
        Standing::Buyer,
        Kind::OrderRequest,
        Action::Read,
        Scope::OwnParty,
        &[],
    ),
];

/// The rule for a combination, if the table allows it at all.
pub fn rule_for(role: Role, standing: Standing, kind: Kind, action: Action) -> Option<&'static Rule> {
    TABLE
        .iter()
        .find(|rule| rule.role == role && rule.standing == standing && rule.kind == kind && rule.action == action)
}

/// The name a value has in `docs/access-control.md` and in JSON: its serde form.
pub fn doc_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The table as the rows of `docs/access-control.md` write it.
pub fn doc_rows() -> Vec<[String; 6]> {
    TABLE
        .iter()
        .map(|rule| {
            let scope = match rule.scope {
                Scope::Any => "any",
                Scope::OwnParty => "own_party",
                Scope::OwnUser => "own_user",
                Scope::OrgUsers => "org_users",
            };
            let modules = if rule.modules.is_empty() {
                "-".to_owned()
            } else {
                rule.modules
                    .iter()
                    .map(|module| module.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            };
            [
                doc_name(&rule.role),
                doc_name(&rule.standing),
                doc_name(&rule.kind),
                doc_name(&rule.action),
                scope.to_owned(),
                modules,
            ]
        })
        .collect()
}

/// Reads the access table rows out of `docs/access-control.md`: the lines of the table
/// between the `access-table` markers, without its header.
pub fn parse_doc_rows(markdown: &str) -> Vec<[String; 6]> {
    let Some((_, rest)) = markdown.split_once("<!-- access-table:start -->") else {
        return Vec::new();
    };
    let table = rest.split("<!-- access-table:end -->").next().unwrap_or_default();
    table
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with('|') && !line.starts_with("|---") && !line.starts_with("| role "))
        .filter_map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect();
            <[String; 6]>::try_from(cells).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = include_str!("../../../docs/access-control.md");

    #[test]
    fn table_matches_access_control_doc() {
        assert_eq!(parse_doc_rows(DOC), doc_rows());
    }

    #[test]
    fn table_has_no_duplicate_combinations() {
        for (index, rule) in TABLE.iter().enumerate() {
            let first = TABLE
                .iter()
                .position(|other| {
                    other.role == rule.role
                        && other.standing == rule.standing
                        && other.kind == rule.kind
                        && other.action == rule.action
                })
                .unwrap();
            assert_eq!(first, index, "duplicate row {rule:?}");
        }
    }

    #[test]
    fn reads_never_need_a_licence() {
        for rule in TABLE.iter().filter(|rule| rule.action == Action::Read) {
            assert!(rule.modules.is_empty(), "{rule:?}");
        }
    }
}
