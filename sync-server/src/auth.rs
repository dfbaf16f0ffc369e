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
use crate::rest::{ApiQuery, blocking};

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

/// The first value of query parameter `name`, percent-decoded (and `+` read as a space, as
/// in form encoding). An empty value counts as absent; an undecodable query as no query.
fn query_value(parts: &Parts, name: &str) -> Option<String> {
    let ApiQuery(pairs) = ApiQuery::<Vec<(String, String)>>::try_from_uri(&parts.uri).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn request_parts(uri: &str) -> Parts {
        Request::builder().uri(uri).body(()).unwrap().into_parts().0
    }

    #[test]
    fn access_token_in_query_is_percent_decoded() {
        let parts = request_parts("/sync?org=acme&access_token=ab%2Bcd%3D%3D");
        assert_eq!(bearer_token(&parts).as_deref(), Some("ab+cd=="));
    }

    #[test]
    fn query_value_takes_first_and_ignores_empty() {
        let empty_first = request_parts("/x?org=&org=second&org=third");
        assert_eq!(query_value(&empty_first, "org"), None);
        let two = request_parts("/x?org=first&org=second");
        assert_eq!(query_value(&two, "org").as_deref(), Some("first"));
    }
}
