//! Errors of the sync server, and their HTTP form: `application/problem+json` with a stable
//! `code` the client can act on. Internal details go to the log inside the request's span;
//! the client sees only a clean message.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("missing bearer token: send `Authorization: Bearer <token>`")]
    MissingToken,

    #[error("invalid or expired access token")]
    InvalidToken,

    #[error("tenant {0} not found")]
    TenantNotFound(String),

    #[error("tenant {0} already exists")]
    TenantExists(String),

    #[error("organisation {0} not found")]
    OrgNotFound(String),

    #[error("this login acts in several organisations: name one in the URL (`/api/v1/orgs/{{org}}/…` or `?org=`)")]
    OrgRequired,

    #[error("login name or password is wrong")]
    InvalidCredentials,

    #[error("too many failed logins; try again in {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },

    #[error("{0}")]
    Conflict(String),

    #[error("{0} not found")]
    NotFound(String),

    /// A request the server cannot read: malformed or oversized body, wrong content type,
    /// bad query string. `code` is a stable code such as `invalid_json` (the table in
    /// [`crate::rest::extract`]), or [`request_error_code`] of the status.
    #[error("{detail}")]
    UnreadableRequest {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },

    /// No route matches the path. The path is echoed without its query string, because the
    /// query may carry an access token.
    #[error("no route matches {path}; the OpenAPI document at /api/v1/openapi.json lists every route")]
    RouteNotFound { path: String },

    #[error("method {method} is not allowed on {path}; the Allow header lists the methods it serves")]
    MethodNotAllowed { method: String, path: String },

    #[error(transparent)]
    Denied(#[from] crate::access::Denied),

    #[error("{0}")]
    InvalidInput(String),

    #[error(transparent)]
    Domain(#[from] dms_domain::DomainError),

    #[error(transparent)]
    Document(#[from] dms_documents::DocumentError),

    /// An order-to-cash rule of `dms-orders`; [`crate::orders::errors`] gives its code.
    /// Boxed, because the domain error is several times larger than the other variants.
    #[error(transparent)]
    Order(Box<dms_orders::OrderError>),

    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),

    #[error("stored data is corrupt: {0}")]
    Corrupt(String),

    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),

    #[error("background task failed: {0}")]
    Task(String),
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

impl From<dms_orders::OrderError> for ServerError {
    fn from(error: dms_orders::OrderError) -> ServerError {
        ServerError::Order(Box::new(error))
    }
}

impl ServerError {
    /// The stable machine-readable code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::MissingToken => "missing_token",
            ServerError::InvalidToken => "invalid_token",
            ServerError::TenantNotFound(_) => "tenant_not_found",
            ServerError::TenantExists(_) => "tenant_exists",
            ServerError::OrgNotFound(_) => "org_not_found",
            ServerError::OrgRequired => "org_required",
            ServerError::InvalidCredentials => "invalid_credentials",
            ServerError::TooManyAttempts { .. } => "too_many_attempts",
            ServerError::Conflict(_) => "conflict",
            ServerError::NotFound(_) | ServerError::RouteNotFound { .. } => "not_found",
            ServerError::UnreadableRequest { code, .. } => code,
            ServerError::MethodNotAllowed { .. } => "method_not_allowed",
            ServerError::Denied(denied) => denied.code(),
            ServerError::Order(error) => crate::orders::errors::code(error),
            ServerError::InvalidInput(_) | ServerError::Domain(_) | ServerError::Document(_) => "invalid_input",
            ServerError::Database(_) | ServerError::Corrupt(_) | ServerError::Io(_) | ServerError::Task(_) => {
                "internal_error"
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::MissingToken | ServerError::InvalidToken | ServerError::InvalidCredentials => {
                StatusCode::UNAUTHORIZED
            }
            ServerError::TenantNotFound(_)
            | ServerError::OrgNotFound(_)
            | ServerError::NotFound(_)
            | ServerError::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            ServerError::UnreadableRequest { status, .. } => *status,
            ServerError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ServerError::TenantExists(_) | ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::OrgRequired => StatusCode::BAD_REQUEST,
            ServerError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Denied(_) => StatusCode::FORBIDDEN,
            ServerError::Order(error) => crate::orders::errors::status(error),
            ServerError::InvalidInput(_) | ServerError::Domain(_) | ServerError::Document(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Returns the stable code for an error status whose rejection carries no more specific
/// code, such as axum's own rejections and the body limit on raw `Bytes` or `String` bodies.
pub fn request_error_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::UPGRADE_REQUIRED => "upgrade_required",
        status if status.is_server_error() => "internal_error",
        _ => "invalid_request",
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "internal error; the server log has the details".to_owned()
        } else {
            self.to_string()
        };
        let body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
            "code": self.code(),
            "detail": detail,
        });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if let ServerError::TooManyAttempts { retry_after_seconds } = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
