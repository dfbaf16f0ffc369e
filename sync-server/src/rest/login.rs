//! Logins, tokens and devices: `POST /auth/login`, `/auth/refresh`, `/auth/logout`,
//! `GET /me`, and the caller's own devices.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use dms_domain::{TenantId, UserId};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, blocking};
use crate::access::{Action, LicenceState, Resource, authorize};
use crate::app::AppState;
use crate::auth::{Acting, Authenticated};
use crate::error::{Result, ServerError};
use crate::password;
use crate::registry::tokens::DeviceRecord;
use crate::registry::{Grant, Registry, TokenPair};

#[derive(Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    /// A device id from an earlier login of this user, to keep one device record per phone.
    pub device_id: Option<String>,
    /// A name for a newly registered device, such as "Asha's phone".
    pub device_name: Option<String>,
}

#[derive(Serialize)]
pub struct LoginResponse {
    pub user_id: UserId,
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub grants: Vec<Grant>,
}

#[derive(Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize)]
pub struct MeResponse {
    pub user_id: UserId,
    pub device_id: Option<String>,
    pub grants: Vec<Grant>,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>> {
    let address = address.ip();
    if let Err(retry_after_seconds) = state.throttle.check(&request.login, address) {
        tracing::warn!(%address, "login refused: too many failed attempts");
        return Err(ServerError::TooManyAttempts { retry_after_seconds });
    }

    // Verify the password (or a dummy one for an unknown login, taking the same time).
    let registry = state.registry.clone();
    let login = request.login.clone();
    let password = request.password.clone();
    let verified = blocking(move || {
        let record = registry.login_record(&login)?;
        let hash = record.as_ref().and_then(|record| record.password_hash.clone());
        let matches = password::verify(&password, hash.as_deref());
        Ok(record.filter(|record| matches && !record.revoked))
    })
    .await?;
    let Some(record) = verified else {
        state.throttle.record_failure(&request.login, address);
        tracing::info!(%address, "login failed");
        return Err(ServerError::InvalidCredentials);
    };
    state.throttle.record_success(&request.login, address);

    // A login needs at least one organisation whose licence is in force.
    let registry = state.registry.clone();
    let user = record.user_id.clone();
    let response = blocking(move || {
        let grants = registry.grants(&user)?;
        let mut refusal = None;
        let mut licensed = false;
        for grant in &grants {
            match registry.licence_state(&grant.org_id)? {
                LicenceState::Active { .. } => licensed = true,
                other => refusal = refusal.or(Some(other)),
            }
        }
        if !licensed {
            // No grant at all reads like a wrong password, so it reveals nothing.
            return Err(match refusal.map(|state| state.require(&[])) {
                Some(Err(denied)) => ServerError::Denied(denied),
                _ => ServerError::InvalidCredentials,
            });
        }
        let device_id = registry.register_device(
            &user,
            request.device_name.as_deref().unwrap_or_default(),
            request.device_id.as_deref(),
        )?;
        let tokens = registry.issue_token_pair(&user, &device_id)?;
        Ok(LoginResponse {
            user_id: user,
            tokens,
            grants,
        })
    })
    .await?;
    tracing::info!(user_id = %response.user_id, device_id = %response.tokens.device_id, "logged in");
    Ok(Json(response))
}

pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>> {
    let registry = state.registry.clone();
    let pair = blocking(move || registry.refresh(&request.refresh_token)).await?;
    Ok(Json(pair))
}

pub async fn logout(State(state): State<AppState>, authenticated: Authenticated) -> Result<StatusCode> {
    let registry = state.registry.clone();
    blocking(move || registry.revoke_access_token(&authenticated.token)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(
    State(state): State<AppState>,
    Authenticated { session, .. }: Authenticated,
) -> Result<Json<MeResponse>> {
    let registry = state.registry.clone();
    let user = session.user_id.clone();
    let mut grants = blocking(move || registry.grants(&user)).await?;
    if let Some(scope) = &session.scope_org {
        grants.retain(|grant| &grant.org_id == scope);
    }
    Ok(Json(MeResponse {
        user_id: session.user_id,
        device_id: session.device_id,
        grants,
    }))
}

/// Query of `GET /devices`.
#[derive(Deserialize)]
pub struct DevicesQuery {
    /// Whose devices to list; the caller's own when absent.
    pub user: Option<String>,
}

/// Lists the caller's devices, or with `?user=` another user's devices where the caller's
/// role may manage them (an admin over users of its own organisation). A user out of reach
/// gets 404 `not_found`.
pub async fn devices(
    State(state): State<AppState>,
    Acting { context, session }: Acting,
    ApiQuery(query): ApiQuery<DevicesQuery>,
) -> Result<Json<Vec<DeviceRecord>>> {
    let owner = match query.user {
        None => session.user_id.clone(),
        Some(user) => UserId::new(user.clone()).map_err(|_| ServerError::NotFound(format!("user {user}")))?,
    };
    let registry = state.registry.clone();
    let org = context.tenant_id.clone();
    let lookup = owner.clone();
    let owner_in_org = blocking(move || only_in_org(&registry, &lookup, &org)).await?;
    let allowed = authorize(&context, Action::Read, &Resource::device(&owner, owner_in_org));
    if owner != session.user_id && allowed.is_err() {
        return Err(ServerError::NotFound(format!("user {owner}")));
    }
    allowed?;
    let registry = state.registry.clone();
    let devices = blocking(move || registry.devices_of(&owner)).await?;
    Ok(Json(devices))
}

/// Revokes a device: its tokens stop working and its live sync sessions close at once. A
/// user may revoke its own devices; an admin also those of users of its own organisation.
/// A device out of reach gets 404 `not_found`.
pub async fn revoke_device(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path(device_id): Path<String>,
) -> Result<StatusCode> {
    let not_found = || ServerError::NotFound(format!("device {device_id}"));
    let registry = state.registry.clone();
    let lookup = device_id.clone();
    let org = context.tenant_id.clone();
    let found = blocking(move || {
        let Some(device) = registry.device(&lookup)? else {
            return Ok(None);
        };
        let owner_in_org = only_in_org(&registry, &device.user_id, &org)?;
        Ok(Some((device, owner_in_org)))
    })
    .await?;
    let Some((device, owner_in_org)) = found else {
        return Err(not_found());
    };

    authorize(
        &context,
        Action::Manage,
        &Resource::device(&device.user_id, owner_in_org),
    )
    .map_err(|_| not_found())?;
    let registry = state.registry.clone();
    let revoked = device_id.clone();
    blocking(move || registry.revoke_device(&revoked)).await?;

    let closed = state.live.revoke_device(&device_id);
    tracing::info!(
        device_id = %device_id, owner = %device.user_id, revoked_by = %context.user_id, closed_sessions = closed,
        "revoked device"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Whether `user` has at least one grant and every grant it has is in `org`.
fn only_in_org(registry: &Registry, user: &UserId, org: &TenantId) -> Result<bool> {
    let grants = registry.grants(user)?;
    Ok(!grants.is_empty() && grants.iter().all(|grant| &grant.org_id == org))
}
