//! Authentication of HTTP requests and WebSocket upgrades by bearer token, and resolution of
//! the acting context.
//!
//! Devices send `Authorization: Bearer <token>`. Browser WebSocket clients cannot set headers,
//! so the server also accepts `?access_token=<token>` in the URL; the server never logs
//! request URLs, so the token does not reach the log that way.
//!
//! [`Acting`] resolves which organisation a request acts in: the `{org}` path parameter, else
//! `?org=`, else the organisation a scoped token is bound to, else the user's only grant.
//! Then the registry builds the context from the user's grants and links, or answers
//! `org_not_found`; a handler never opens a database this step did not allow.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use dms_domain::TenantId;

use crate::access::Principal;
use crate::app::AppState;
use crate::error::ServerError;
use crate::registry::Session;
use crate::rest::blocking;

/// The authenticated caller of a request, and the token it presented.
pub struct Authenticated {
    pub session: Session,
    pub token: String,
}

/// The acting context of a request that touches one organisation's data.
pub struct Acting {
    pub context: Principal,
    pub session: Session,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ServerError::MissingToken)?;
        let registry = state.registry.clone();
        let presented = token.clone();
        let session = blocking(move || registry.authenticate(&presented)).await?;
        Ok(Authenticated { session, token })
    }
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Authenticated { session, .. } = Authenticated::from_request_parts(parts, state).await?;
        let path_org = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(name, _)| *name == "org")
                    .map(|(_, value)| value.to_owned())
            });
        let requested = path_org.or_else(|| query_value(parts, "org"));
        let requested = requested
            .map(|org| TenantId::new(org.clone()).map_err(|_| ServerError::OrgNotFound(org)))
            .transpose()?;

        let registry = state.registry.clone();
        let user = session.user_id.clone();
        let scope = session.scope_org.clone();
        let context = blocking(move || {
            let org = match (requested, scope) {
                // A scoped token acts only in its organisation.
                (Some(requested), Some(scope)) if requested != scope => {
                    return Err(ServerError::OrgNotFound(requested.to_string()));
                }
                (Some(org), _) | (None, Some(org)) => org,
                (None, None) => {
                    let grants = registry.grants(&user)?;
                    match grants.as_slice() {
                        [only] => only.org_id.clone(),
                        _ => return Err(ServerError::OrgRequired),
                    }
                }
            };
            registry.context(&user, &org)
        })
        .await?;
        Ok(Acting { context, session })
    }
}

fn bearer_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            return Some(token.trim().to_owned());
        }
        return None;
    }
    query_value(parts, "access_token")
}

fn query_value(parts: &Parts, name: &str) -> Option<String> {
    let query = parts.uri.query()?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}
