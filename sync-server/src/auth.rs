//! Authentication of HTTP requests and WebSocket upgrades by bearer token.
//!
//! Devices send `Authorization: Bearer <token>`. Browser WebSocket clients cannot set headers,
//! so the sync endpoint also accepts `?access_token=<token>` in the URL; the server never logs
//! request URLs, so the token does not reach the log that way.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::access::Principal;
use crate::app::AppState;
use crate::error::ServerError;

/// The authenticated caller of a request.
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ServerError::MissingToken)?;
        let registry = state.registry.clone();
        let principal = tokio::task::spawn_blocking(move || registry.authenticate(&token))
            .await
            .map_err(|error| ServerError::Task(error.to_string()))??;
        Ok(Authenticated(principal))
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
    let query = parts.uri.query()?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "access_token")
        .map(|(_, token)| token.to_owned())
        .filter(|token| !token.is_empty())
}
