//! Administration over REST: onboarding, users, licences, links and the licence report. Each
//! handler authorises its acting context first, then calls [`crate::admin`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dms_domain::{TenantId, UserId};
use serde::Deserialize;

use super::{ApiJson, ApiQuery, blocking};
use crate::access::{Action, Kind, Module, Resource, Role, authorize};
use crate::admin::{
    self, Credentials, DistributorOnboarding, OnboardedDistributor, OnboardedPartner, PartnerImport, PartnerOnboarding,
};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::registry::{Contact, Licence, LicenceReportRow, Link, UserSummary};

#[derive(Deserialize)]
pub struct NewUser {
    pub login: String,
    pub role: Role,
    /// Initial password; generated and returned once when absent.
    pub password: Option<String>,
    /// Name and mobile number buyers see when the user delivers to them.
    #[serde(default)]
    pub contact: Option<Contact>,
}

#[derive(Deserialize)]
pub struct NewLicence {
    /// The licensed organisation: a distributor linked to the acting company.
    pub org_id: String,
    pub modules: Vec<Module>,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Deserialize)]
pub struct ReportPeriod {
    pub from: String,
    pub to: String,
}

fn manage(acting: &Acting, kind: Kind) -> Result<()> {
    Ok(authorize(&acting.context, Action::Manage, &Resource::kind(kind))?)
}

fn read(acting: &Acting, kind: Kind) -> Result<()> {
    Ok(authorize(&acting.context, Action::Read, &Resource::kind(kind))?)
}

pub async fn onboard_distributor(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(request): ApiJson<DistributorOnboarding>,
) -> Result<(StatusCode, Json<OnboardedDistributor>)> {
    manage(&acting, Kind::DistributorOnboarding)?;
    let company = acting.context.tenant_id.clone();
    let onboarded = blocking(move || admin::onboard_distributor(&state, &company, &request)).await?;
    let status = if onboarded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(onboarded)))
}

pub async fn onboard_partner(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(request): ApiJson<PartnerOnboarding>,
) -> Result<(StatusCode, Json<OnboardedPartner>)> {
    manage(&acting, Kind::PartnerOnboarding)?;
    let distributor = acting.context.tenant_id.clone();
    let onboarded = blocking(move || admin::onboard_partner(&state, &distributor, &request)).await?;
    Ok((StatusCode::CREATED, Json(onboarded)))
}

/// Bulk partner onboarding; the body is CSV with the header
/// `party_id,legal_name,registration,login`.
pub async fn import_partners(
    State(state): State<AppState>,
    acting: Acting,
    body: String,
) -> Result<Json<PartnerImport>> {
    manage(&acting, Kind::PartnerOnboarding)?;
    let distributor = acting.context.tenant_id.clone();
    let import = blocking(move || admin::onboard_partners_csv(&state, &distributor, body.as_bytes())).await?;
    Ok(Json(import))
}

pub async fn users(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<UserSummary>>> {
    read(&acting, Kind::Users)?;
    let org = acting.context.tenant_id.clone();
    let users = blocking(move || state.registry.users_of(&org)).await?;
    Ok(Json(users))
}

pub async fn create_user(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(request): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Credentials>)> {
    manage(&acting, Kind::Users)?;
    let org = acting.context.tenant_id.clone();
    let credentials = blocking(move || {
        admin::create_staff_user(
            &state,
            &org,
            &request.login,
            request.password.as_deref(),
            request.role,
            request.contact.as_ref(),
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(credentials)))
}

/// Sets the name and mobile number buyers see when this user of the organisation delivers.
pub async fn set_user_contact(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, user)): Path<(String, String)>,
    ApiJson(contact): ApiJson<Contact>,
) -> Result<Json<Contact>> {
    manage(&acting, Kind::Users)?;
    let org = acting.context.tenant_id.clone();
    let user = UserId::new(user.clone()).map_err(|_| ServerError::NotFound(format!("user {user}")))?;
    let stored = blocking(move || admin::set_user_contact(&state, &org, &user, &contact)).await?;
    Ok(Json(stored))
}

/// Revokes a user's grant in this organisation and closes its live sync sessions here.
pub async fn revoke_user(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, user)): Path<(String, String)>,
) -> Result<StatusCode> {
    manage(&acting, Kind::Users)?;
    let org = acting.context.tenant_id.clone();
    let user = UserId::new(user.clone()).map_err(|_| ServerError::NotFound(format!("user {user}")))?;
    let registry = state.registry.clone();
    let (revoked_user, revoked_org) = (user.clone(), org.clone());
    let revoked = blocking(move || registry.revoke_grant(&revoked_user, &revoked_org)).await?;
    if !revoked {
        return Err(ServerError::NotFound(format!("user {user} in {org}")));
    }
    let closed = state.live.revoke_user(&user, Some(&org));
    tracing::info!(org_id = %org, user_id = %user, closed_sessions = closed, "revoked user");
    Ok(StatusCode::NO_CONTENT)
}

pub async fn licences(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<Licence>>> {
    read(&acting, Kind::Licences)?;
    let org = acting.context.tenant_id.clone();
    let licences = blocking(move || state.registry.licences_of(&org)).await?;
    Ok(Json(licences))
}

/// A company issues a licence, paid by itself, to one of its linked distributors.
pub async fn issue_licence(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(request): ApiJson<NewLicence>,
) -> Result<(StatusCode, Json<Licence>)> {
    manage(&acting, Kind::Licences)?;
    let company = acting.context.tenant_id.clone();
    let licence = blocking(move || {
        let distributor =
            TenantId::new(request.org_id.clone()).map_err(|_| ServerError::OrgNotFound(request.org_id.clone()))?;
        if !state.registry.is_linked(&company, distributor.as_str())? {
            return Err(ServerError::OrgNotFound(distributor.to_string()));
        }
        state.registry.issue_licence(
            &distributor,
            &request.modules,
            &request.valid_from,
            &request.valid_to,
            &company,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(licence)))
}

pub async fn links(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<Link>>> {
    read(&acting, Kind::Links)?;
    let org = acting.context.tenant_id.clone();
    let links = blocking(move || state.registry.links_of(&org)).await?;
    Ok(Json(links))
}

pub async fn licence_report(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(period): ApiQuery<ReportPeriod>,
) -> Result<Json<Vec<LicenceReportRow>>> {
    read(&acting, Kind::LicenceReport)?;
    let company = acting.context.tenant_id.clone();
    let report = blocking(move || state.registry.licence_report(&company, &period.from, &period.to)).await?;
    Ok(Json(report))
}
