//! Request extractors whose rejections are `application/problem+json` with a stable code.
//!
//! axum's own `Json` and `Query` extractors reject with a `text/plain` body. Handlers take
//! [`ApiJson`] and [`ApiQuery`] instead, which run axum's extractor and turn its rejection
//! into a [`ServerError::UnreadableRequest`]:
//!
//! | failure                                   | status | code                     |
//! |-------------------------------------------|--------|--------------------------|
//! | body is not JSON (syntax error, cut off)  | 400    | `invalid_json`           |
//! | JSON of the wrong shape (missing field)   | 422    | `invalid_input`          |
//! | `Content-Type` is not `application/json`  | 415    | `unsupported_media_type` |
//! | body over the limit ([`DefaultBodyLimit`])| 413    | `payload_too_large`      |
//! | query string does not match the handler   | 400    | `invalid_query`          |
//!
//! `axum::Json` stays the response type. clippy.toml disallows `axum::extract::Query`, and a
//! test below fails when a source file takes `Json<…>` as a handler argument.
//!
//! [`DefaultBodyLimit`]: axum::extract::DefaultBodyLimit

// This module is the one place that may name axum's `Query`.
#![allow(clippy::disallowed_types)]

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use serde::de::DeserializeOwned;

use crate::error::{ServerError, request_error_code};

/// A JSON request body; rejects with problem+json (see the module table).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

/// A deserialized query string; rejects with problem+json 400 `invalid_query`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ServerError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::try_from_uri(&parts.uri)
    }
}

impl<T: DeserializeOwned> ApiQuery<T> {
    /// Deserializes the query string of `uri`, as the extractor does.
    pub fn try_from_uri(uri: &Uri) -> Result<Self, ServerError> {
        match Query::<T>::try_from_uri(uri) {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ServerError {
    let code = match &rejection {
        JsonRejection::JsonSyntaxError(_) => "invalid_json",
        JsonRejection::JsonDataError(_) => "invalid_input",
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::BytesRejection(bytes) => bytes_rejection_code(bytes),
        // `JsonRejection` is non-exhaustive: a future variant gets the code of its status.
        _ => request_error_code(rejection.status()),
    };
    let detail = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "the request body must be JSON: send `Content-Type: application/json`".to_owned()
        }
        _ => rejection.body_text(),
    };
    unreadable(rejection.status(), code, detail)
}

fn bytes_rejection_code(rejection: &BytesRejection) -> &'static str {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        status => request_error_code(status),
    }
}

fn query_rejection(rejection: QueryRejection) -> ServerError {
    unreadable(StatusCode::BAD_REQUEST, "invalid_query", rejection.body_text())
}

fn unreadable(status: StatusCode, code: &'static str, detail: String) -> ServerError {
    ServerError::UnreadableRequest { status, code, detail }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use axum::body::Body;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Login {
        #[allow(dead_code)]
        login: String,
    }

    #[derive(Debug, Deserialize)]
    struct Since {
        #[allow(dead_code)]
        since_version: Option<i64>,
    }

    fn json_request(content_type: &str, body: &'static str) -> Request {
        Request::builder()
            .method("POST")
            .uri("/")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    }

    async fn json_error(content_type: &str, body: &'static str) -> (StatusCode, &'static str) {
        let error = ApiJson::<Login>::from_request(json_request(content_type, body), &())
            .await
            .unwrap_err();
        (error.status(), error.code())
    }

    #[tokio::test]
    async fn json_rejections_map_to_codes() {
        assert_eq!(
            json_error("application/json", "{not json").await,
            (StatusCode::BAD_REQUEST, "invalid_json")
        );
        assert_eq!(
            json_error("application/json", "{}").await,
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
        );
        assert_eq!(
            json_error("application/x-www-form-urlencoded", "login=a").await,
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        );
    }

    #[tokio::test]
    async fn json_accepts_valid_body() {
        let request = json_request("application/json", r#"{"login":"asha"}"#);
        assert!(ApiJson::<Login>::from_request(request, &()).await.is_ok());
    }

    #[test]
    fn query_rejection_is_invalid_query() {
        let uri: Uri = "/catalog?since_version=abc".parse().unwrap();
        let error = ApiQuery::<Since>::try_from_uri(&uri).unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.code(), "invalid_query");
        assert!(error.to_string().contains("since_version"), "{error}");
    }

    /// Handlers must take `ApiJson`/`ApiQuery`: axum's extractors reject with text/plain.
    /// clippy.toml bans `axum::extract::Query` outright; `Json` stays allowed as a response,
    /// so this test catches it in argument position (`name: Json<…>`).
    #[test]
    fn no_source_file_extracts_with_axum_json_or_query() {
        let source_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        for path in rust_files(&source_dir) {
            if path.ends_with("rest/extract.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let compact: String = text.chars().filter(|character| !character.is_whitespace()).collect();
            for pattern in [
                ":Json<",
                ":axum::Json<",
                ":axum::extract::Json<",
                ":Query<",
                ":axum::extract::Query<",
            ] {
                if takes_as_argument(&compact, pattern) {
                    offenders.push(format!("{} takes `{}…>`", path.display(), &pattern[1..]));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "use ApiJson / ApiQuery (crate::rest::extract) as extractors:\n{}",
            offenders.join("\n")
        );
    }

    /// Whether `pattern` (`:Type<`) occurs after a single colon, as in `name: Type<…>`, and not
    /// as the tail of a path such as `-> axum::Json<…>`.
    fn takes_as_argument(compact: &str, pattern: &str) -> bool {
        compact
            .match_indices(pattern)
            .any(|(index, _)| index == 0 || compact.as_bytes()[index - 1] != b':')
    }

    #[test]
    fn argument_check_ignores_return_types() {
        assert!(takes_as_argument("fn(Json(x):Json<T>)", ":Json<"));
        assert!(!takes_as_argument("fn()->axum::Json<T>", ":Json<"));
        assert!(!takes_as_argument("fn(ApiJson(x):ApiJson<T>)", ":Json<"));
    }

    fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
        files
    }
}
