//! Problem responses for requests no handler accepts: unknown routes, wrong methods, and a
//! last-line layer that rewrites any other error response axum builds as `text/plain` (or
//! with no body) into `application/problem+json`.

use axum::body::{Body, to_bytes};
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ServerError, request_error_code};

/// Bodies of the error responses the layer rewrites are axum's short rejection messages;
/// anything longer is cut off rather than buffered.
const MAX_REWRITTEN_BODY_BYTES: usize = 4 * 1024;

/// Returns 404 `not_found` for a path no route matches (the router fallback).
pub async fn route_not_found(uri: Uri) -> ServerError {
    ServerError::RouteNotFound {
        path: uri.path().to_owned(),
    }
}

/// Returns 405 `method_not_allowed` for a path served without this method (the router's
/// method-not-allowed fallback). axum adds the `Allow` header with the path's methods.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ServerError {
    ServerError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// Rewrites an error response (status 400 or above) that is not already problem+json, such
/// as a rejection of axum's `Bytes`, `String`, `Path` or `WebSocketUpgrade` extractors. The
/// code comes from the status ([`request_error_code`]) and the detail from the original
/// body. Headers the original response set (`Allow`, `Retry-After`) are kept.
pub async fn problem_json_for_errors(response: Response) -> Response {
    let status = response.status();
    if status.as_u16() < 400 || is_problem_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = match to_bytes(body, MAX_REWRITTEN_BODY_BYTES).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let problem = ServerError::UnreadableRequest {
        status,
        code: request_error_code(status),
        detail,
    }
    .into_response();
    let (problem_parts, problem_body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, Body::new(problem_body))
}

fn is_problem_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn plain_text_error_becomes_problem() {
        let plain = (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
        let rewritten = problem_json_for_errors(plain).await;
        assert_eq!(rewritten.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(rewritten.headers()[header::CONTENT_TYPE], "application/problem+json");
        let problem = body_json(rewritten).await;
        assert_eq!(problem["code"], "payload_too_large");
        assert_eq!(problem["detail"], "length limit exceeded");
    }

    #[tokio::test]
    async fn success_and_problems_pass_unchanged() {
        let ok = problem_json_for_errors((StatusCode::OK, "ok").into_response()).await;
        assert_eq!(ok.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        let problem = problem_json_for_errors(ServerError::MissingToken.into_response()).await;
        assert_eq!(body_json(problem).await["code"], "missing_token");
    }

    #[tokio::test]
    async fn empty_error_keeps_its_headers() {
        let mut empty = StatusCode::METHOD_NOT_ALLOWED.into_response();
        empty
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET,HEAD"));
        let rewritten = problem_json_for_errors(empty).await;
        assert_eq!(rewritten.headers()[header::ALLOW], "GET,HEAD");
        assert_eq!(body_json(rewritten).await["code"], "method_not_allowed");
    }
}
