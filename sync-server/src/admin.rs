//! Administrative operations shared by the REST API, the `dms-server admin` commands, the
//! demo and tests. They do no authorisation: REST handlers ask [`crate::access::authorize`]
//! before calling them, and the command line runs with the data folder's owner's rights.
//! All are blocking.

use std::io::Read;

use dms_domain::{PartyId, TenantId, UserId};
use serde::{Deserialize, Serialize};

use crate::access::{Module, Role};
use crate::app::AppState;
use crate::error::{Result, ServerError};
use crate::password;
use crate::registry::{Contact, OrgKind, Organisation, iso_date};

/// A new login and, when the server chose it, its initial password (shown once).
#[derive(Clone, Debug, Serialize)]
pub struct Credentials {
    pub login: String,
    pub password: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DistributorOnboarding {
    /// Id of the new organisation; derived from the legal name when absent.
    pub org_id: Option<String>,
    pub legal_name: String,
    /// GSTIN or registration number: onboarding the same one again links, never duplicates.
    pub registration: String,
    pub admin_login: String,
    /// Initial password of the admin; generated when absent.
    pub admin_password: Option<String>,
    /// Modules of the licence the company pays for; none issues no licence.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// Licence dates, ISO; default today and one year on.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OnboardedDistributor {
    pub organisation: Organisation,
    /// False when the distributor was already registered and is now only linked.
    pub created: bool,
    /// The first admin login, when this onboarding created it.
    pub admin: Option<Credentials>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PartnerOnboarding {
    pub party_id: String,
    pub legal_name: String,
    pub registration: Option<String>,
    pub login: String,
    pub password: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OnboardedPartner {
    pub party_id: PartyId,
    /// Present when a new login was made; a partner that already had one keeps it and gets
    /// a grant for this distributor.
    pub credentials: Option<Credentials>,
    pub login: String,
}

/// One row of a bulk partner import that failed, with its CSV line number.
#[derive(Clone, Debug, Serialize)]
pub struct RejectedPartner {
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartnerImport {
    pub onboarded: Vec<OnboardedPartner>,
    pub rejected: Vec<RejectedPartner>,
}

/// Registers the first company and its admin (the `admin bootstrap-company` command).
pub fn bootstrap_company(
    state: &AppState,
    org_id: Option<&str>,
    legal_name: &str,
    registration: &str,
    admin_login: &str,
    admin_password: &str,
    licence_modules: &[Module],
) -> Result<Organisation> {
    let org_id = org_id_for(org_id, legal_name)?;
    let (organisation, _) =
        state
            .registry
            .register_organisation(&org_id, OrgKind::Company, legal_name, registration)?;
    state.hub.tenant(&organisation.org_id)?;
    let hash = password::hash(admin_password)?;
    let (user, _) = state.registry.create_user(admin_login, Some(&hash), false)?;
    state
        .registry
        .grant(&user, &organisation.org_id, Role::CompanyAdmin, None)?;
    if !licence_modules.is_empty() {
        let (from, to) = default_period(None, None)?;
        state
            .registry
            .issue_licence(&organisation.org_id, licence_modules, &from, &to, &organisation.org_id)?;
    }
    tracing::info!(org_id = %organisation.org_id, "bootstrapped company");
    Ok(organisation)
}

/// A company onboards a distributor: registers it (or finds it by registration number),
/// links it, issues its first admin login and the licence the company pays for.
pub fn onboard_distributor(
    state: &AppState,
    company: &TenantId,
    request: &DistributorOnboarding,
) -> Result<OnboardedDistributor> {
    let org_id = org_id_for(request.org_id.as_deref(), &request.legal_name)?;
    let (organisation, created) = state.registry.register_organisation(
        &org_id,
        OrgKind::Distributor,
        &request.legal_name,
        &request.registration,
    )?;
    let distributor = organisation.org_id.clone();
    let other_company = state
        .registry
        .company_of(&distributor)?
        .filter(|other| other != company);
    if let Some(other) = other_company {
        tracing::warn!(org_id = %distributor, company_id = %other, "distributor is linked to another company");
        return Err(ServerError::Conflict(format!(
            "distributor {distributor} is already onboarded by another company"
        )));
    }
    state.registry.link(company, "distributor", distributor.as_str())?;
    state.hub.tenant(&distributor)?;

    let has_admin = state
        .registry
        .users_of(&distributor)?
        .iter()
        .any(|user| user.role == Role::DistributorAdmin);
    let admin = if has_admin {
        None
    } else {
        Some(create_user_with_grant(
            state,
            &request.admin_login,
            request.admin_password.as_deref(),
            &distributor,
            Role::DistributorAdmin,
            None,
        )?)
    };
    if !request.modules.is_empty() {
        let (from, to) = default_period(request.valid_from.as_deref(), request.valid_to.as_deref())?;
        state
            .registry
            .issue_licence(&distributor, &request.modules, &from, &to, company)?;
    }
    tracing::info!(company_id = %company, org_id = %distributor, created, "onboarded distributor");
    Ok(OnboardedDistributor {
        organisation,
        created,
        admin,
    })
}

/// A distributor onboards one partner: the partner party (found by registration number when
/// known), the link, and a field-app login with a grant for this distributor.
pub fn onboard_partner(
    state: &AppState,
    distributor: &TenantId,
    request: &PartnerOnboarding,
) -> Result<OnboardedPartner> {
    let party_id = PartyId::new(request.party_id.trim())?;
    if request.legal_name.trim().is_empty() {
        return Err(ServerError::InvalidInput("legal name must not be empty".to_owned()));
    }
    let party_id = state
        .registry
        .register_partner(&party_id, &request.legal_name, request.registration.as_deref())?;
    state.registry.link(distributor, "partner", party_id.as_str())?;

    // One login per partner person: an existing login gets a second grant, if it already
    // buys for the same party elsewhere.
    let existing = state.registry.login_record(&request.login)?;
    let credentials = match existing {
        Some(record) => {
            let buys_for_same_party = state
                .registry
                .grants(&record.user_id)?
                .iter()
                .all(|grant| grant.role == Role::PartnerUser && grant.party_id.as_ref() == Some(&party_id));
            if !buys_for_same_party {
                return Err(ServerError::Conflict(format!(
                    "login {} is taken by someone who is not a user of partner {party_id}",
                    request.login.trim()
                )));
            }
            state
                .registry
                .grant(&record.user_id, distributor, Role::PartnerUser, Some(&party_id))?;
            None
        }
        None => Some(create_user_with_grant(
            state,
            &request.login,
            request.password.as_deref(),
            distributor,
            Role::PartnerUser,
            Some(&party_id),
        )?),
    };
    tracing::info!(org_id = %distributor, party_id = %party_id, "onboarded partner");
    Ok(OnboardedPartner {
        party_id,
        credentials,
        login: request.login.trim().to_ascii_lowercase(),
    })
}

/// Onboards partners from CSV with the header `party_id,legal_name,registration,login`.
/// Good rows are onboarded even when others are rejected; passwords are generated.
pub fn onboard_partners_csv(state: &AppState, distributor: &TenantId, reader: impl Read) -> Result<PartnerImport> {
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let mut import = PartnerImport {
        onboarded: Vec::new(),
        rejected: Vec::new(),
    };
    for (index, row) in csv.records().enumerate() {
        let line = index as u64 + 2;
        let outcome = row
            .map_err(|error| ServerError::InvalidInput(error.to_string()))
            .and_then(|row| {
                let field = |at: usize| row.get(at).unwrap_or_default().to_owned();
                onboard_partner(
                    state,
                    distributor,
                    &PartnerOnboarding {
                        party_id: field(0),
                        legal_name: field(1),
                        registration: Some(field(2)).filter(|text| !text.is_empty()),
                        login: field(3),
                        password: None,
                    },
                )
            });
        match outcome {
            Ok(partner) => import.onboarded.push(partner),
            Err(error) => import.rejected.push(RejectedPartner {
                line,
                reason: error.to_string(),
            }),
        }
    }
    Ok(import)
}

/// Creates a staff login in `org` with `role`, and the contact details buyers see when the
/// user delivers to them.
pub fn create_staff_user(
    state: &AppState,
    org: &TenantId,
    login: &str,
    password: Option<&str>,
    role: Role,
    contact: Option<&Contact>,
) -> Result<Credentials> {
    if role == Role::PartnerUser {
        return Err(ServerError::InvalidInput(
            "partner users are made by partner onboarding".to_owned(),
        ));
    }
    let contact = contact
        .map(|contact| Contact::new(&contact.name, &contact.phone))
        .transpose()?;
    let credentials = create_user_with_grant(state, login, password, org, role, None)?;
    if let Some(contact) = &contact {
        state
            .registry
            .set_contact(&UserId::new(credentials.login.as_str())?, Some(contact))?;
    }
    Ok(credentials)
}

/// Sets the contact details of `user`, a user of `org`.
pub fn set_user_contact(state: &AppState, org: &TenantId, user: &UserId, contact: &Contact) -> Result<Contact> {
    let contact = Contact::new(&contact.name, &contact.phone)?;
    let member = state
        .registry
        .users_of(org)?
        .iter()
        .any(|summary| &summary.user_id == user);
    if !member || !state.registry.set_contact(user, Some(&contact))? {
        return Err(ServerError::NotFound(format!("user {user} in {org}")));
    }
    tracing::info!(org_id = %org, user_id = %user, "set contact details");
    Ok(contact)
}

fn create_user_with_grant(
    state: &AppState,
    login: &str,
    password: Option<&str>,
    org: &TenantId,
    role: Role,
    party: Option<&PartyId>,
) -> Result<Credentials> {
    let generated = match password {
        Some(_) => None,
        None => Some(password::generate()?),
    };
    let chosen = password.or(generated.as_deref()).unwrap_or_default();
    let hash = password::hash(chosen)?;
    let (user, _) = state.registry.create_user(login, Some(&hash), false)?;
    state.registry.grant(&user, org, role, party)?;
    Ok(Credentials {
        login: user.to_string(),
        password: generated,
    })
}

/// Registers a standalone distributor with a one-year DMS+PRM licence that it pays itself:
/// the `admin create-tenant` command, kept for scripts and tests that need one tenant fast.
pub fn create_tenant(state: &AppState, tenant_id: &TenantId, name: &str) -> Result<()> {
    let registration = format!("TENANT-{}", tenant_id.as_str().to_ascii_uppercase());
    let registration: String = registration
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    let (organisation, created) =
        state
            .registry
            .register_organisation(tenant_id, OrgKind::Distributor, name, &registration)?;
    if !created || &organisation.org_id != tenant_id {
        return Err(ServerError::TenantExists(tenant_id.to_string()));
    }
    let (from, to) = default_period(None, None)?;
    state
        .registry
        .issue_licence(tenant_id, &[Module::Dms, Module::Prm], &from, &to, tenant_id)?;
    state.hub.tenant(tenant_id)?;
    tracing::info!(tenant_id = %tenant_id, "created tenant");
    Ok(())
}

/// Issues an access token bound to `tenant` for `user`, making the user, its grant and (for
/// a partner) the partner link if they do not exist yet. `role` is a role name, or the first
/// slice's `partner` (a partner user) and `staff` (a distributor salesperson).
pub fn issue_token(
    state: &AppState,
    tenant: &TenantId,
    user: &UserId,
    role: &str,
    party: Option<&PartyId>,
) -> Result<String> {
    let role = match role {
        "partner" => Role::PartnerUser,
        "staff" => Role::DistributorSalesperson,
        other => Role::parse(other).ok_or_else(|| ServerError::InvalidInput(format!("unknown role {other:?}")))?,
    };
    if !state.registry.tenant_exists(tenant)? {
        return Err(ServerError::TenantNotFound(tenant.to_string()));
    }
    let (user, _) = state.registry.create_user(user.as_str(), None, true)?;
    if let Some(party) = party {
        state.registry.register_partner(party, party.as_str(), None)?;
        state.registry.link(tenant, "partner", party.as_str())?;
    }
    state.registry.grant(&user, tenant, role, party)?;
    state.registry.issue_scoped_token(&user, tenant, 30 * 24 * 60 * 60)
}

pub use crate::pricing::admin::CatalogImport;

/// Imports a catalog CSV into a tenant. Good rows are stored even when others are rejected.
/// Pricing data comes only from the file's own `HSN` and `GSTRate` columns, if it has them;
/// see [`crate::pricing::admin::import_catalog`] for the HSN map.
pub fn import_catalog(state: &AppState, tenant_id: &TenantId, reader: impl Read) -> Result<CatalogImport> {
    crate::pricing::admin::import_catalog(state, tenant_id, reader, &Default::default())
}

/// A licence period: the given dates, or today and one year on.
pub fn default_period(from: Option<&str>, to: Option<&str>) -> Result<(String, String)> {
    let today = time::OffsetDateTime::now_utc().date();
    let from = from.map(str::to_owned).unwrap_or_else(|| iso_date(today));
    let to = match to {
        Some(to) => to.to_owned(),
        None => iso_date(today.saturating_add(time::Duration::days(365))),
    };
    Ok((from, to))
}

/// An organisation id: the given one, or the legal name in lower case with `-` for spaces
/// and other characters, cut to 48 bytes.
fn org_id_for(given: Option<&str>, legal_name: &str) -> Result<TenantId> {
    if let Some(given) = given.filter(|given| !given.trim().is_empty()) {
        return Ok(TenantId::new(given.trim())?);
    }
    let mut slug = String::new();
    for c in legal_name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(48).collect();
    Ok(TenantId::new(slug.trim_end_matches('-'))?)
}
