//! Redirects, by the engine's rules: at most [`MAX_REDIRECTS`] per attempt, HTTP
//! and HTTPS only, the key (and anything like it) never sent to another origin,
//! and 303 (or 301/302 after a POST) turned into a GET without the body, as
//! browsers and reqwest do.

use bytes::Bytes;
use http::header::{self, HeaderMap};
use http::{Method, StatusCode, Uri};
use url::Url;

use crate::error::{Error, ErrorKind};

/// Redirects followed per attempt (reqwest's and browsers' limit).
pub(super) const MAX_REDIRECTS: usize = 10;

/// Headers that carry credentials: dropped when a redirect leaves the origin.
const CREDENTIALS: [header::HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
    header::WWW_AUTHENTICATE,
];

/// Headers that describe the body: dropped with it when a redirect becomes a GET.
const BODY_HEADERS: [header::HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::TRANSFER_ENCODING,
];

/// Where a redirect response points, if `response` is one (and says where).
pub(super) fn location<B>(response: &http::Response<B>) -> Option<String> {
    let status = response.status();
    if !matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The request a redirect asks for: `location` resolved against `from`, and the
/// method, body and headers of the next request edited in place by the rules above.
/// Returns the next URL, parsed for the engine and for hyper.
pub(super) fn follow(
    status: StatusCode,
    location: &str,
    from: &Url,
    method: &mut Method,
    body: &mut Option<Bytes>,
    headers: &mut HeaderMap,
) -> Result<(Url, Uri), Error> {
    let to = from
        .join(location)
        .map_err(|e| redirect_error(format!("its location {location:?} does not parse: {e}")))?;
    if !matches!(to.scheme(), "http" | "https") {
        return Err(redirect_error(format!("to {:?}, which is not HTTP", to.scheme())));
    }
    if from.origin() != to.origin() {
        for name in CREDENTIALS {
            headers.remove(name);
        }
    }
    if status == StatusCode::SEE_OTHER
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && *method == Method::POST)
    {
        *method = Method::GET;
        *body = None;
        for name in BODY_HEADERS {
            headers.remove(name);
        }
    }
    let uri = Uri::try_from(to.as_str()).map_err(|e| redirect_error(format!("to {:?}: {e}", to.as_str())))?;
    Ok((to, uri))
}

/// The error of a redirect the engine does not follow.
pub(super) fn too_many() -> Error {
    redirect_error(format!("more than {MAX_REDIRECTS} in a row"))
}

fn redirect_error(what: String) -> Error {
    Error::new(ErrorKind::Connection, format!("redirect not followed: {what}"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::HeaderValue;

    use super::super::testing::{client_config, read_all, request, serve, Reply};
    use super::super::Transport;
    use super::*;

    fn redirect(status: u16, to: &str) -> http::Response<()> {
        http::Response::builder()
            .status(status)
            .header("location", to)
            .body(())
            .unwrap()
    }

    fn posted() -> (Method, Option<Bytes>, HeaderMap) {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer sk-secret"));
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b"));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("x-title", HeaderValue::from_static("kept"));
        (Method::POST, Some(Bytes::from_static(b"{}")), headers)
    }

    #[test]
    fn only_redirect_statuses_with_a_location_redirect() {
        for status in [301, 302, 303, 307, 308] {
            assert_eq!(
                location(&redirect(status, "/next")).as_deref(),
                Some("/next"),
                "{status}"
            );
        }
        assert_eq!(location(&redirect(200, "/next")), None);
        assert_eq!(location(&redirect(304, "/next")), None);
        assert_eq!(location(&http::Response::builder().status(302).body(()).unwrap()), None);
    }

    #[test]
    fn a_same_origin_307_keeps_method_body_and_key() {
        let from = Url::parse("https://gw.test/v1/chat/completions").unwrap();
        let (mut method, mut body, mut headers) = posted();
        let (to, uri) = follow(
            StatusCode::TEMPORARY_REDIRECT,
            "../../v2/chat",
            &from,
            &mut method,
            &mut body,
            &mut headers,
        )
        .unwrap();
        assert_eq!(to.as_str(), "https://gw.test/v2/chat");
        assert_eq!(uri, "https://gw.test/v2/chat");
        assert_eq!(method, Method::POST);
        assert!(body.is_some());
        assert!(headers.contains_key(header::AUTHORIZATION) && headers.contains_key(header::CONTENT_TYPE));
    }

    #[test]
    fn another_origin_never_gets_the_key() {
        let from = Url::parse("https://gw.test/v1/chat").unwrap();
        for target in [
            "https://evil.test/v1/chat",
            "http://gw.test/v1/chat",
            "https://gw.test:444/v1/chat",
        ] {
            let (mut method, mut body, mut headers) = posted();
            follow(
                StatusCode::PERMANENT_REDIRECT,
                target,
                &from,
                &mut method,
                &mut body,
                &mut headers,
            )
            .unwrap();
            assert!(!headers.contains_key(header::AUTHORIZATION), "{target}");
            assert!(!headers.contains_key(header::COOKIE), "{target}");
            assert_eq!(headers["x-title"], "kept");
            assert_eq!(method, Method::POST, "a 308 keeps the method");
        }
    }

    #[test]
    fn see_other_and_a_posted_301_or_302_become_a_get_without_body() {
        let from = Url::parse("https://gw.test/v1/chat").unwrap();
        for status in [StatusCode::SEE_OTHER, StatusCode::MOVED_PERMANENTLY, StatusCode::FOUND] {
            let (mut method, mut body, mut headers) = posted();
            follow(status, "/done", &from, &mut method, &mut body, &mut headers).unwrap();
            assert_eq!(method, Method::GET, "{status}");
            assert_eq!(body, None);
            assert!(!headers.contains_key(header::CONTENT_TYPE));
            assert!(headers.contains_key(header::AUTHORIZATION), "same origin");
        }
        // A GET that meets a 302 stays a GET (nothing to drop).
        let (mut method, mut body, mut headers) = (Method::GET, None, HeaderMap::new());
        follow(StatusCode::FOUND, "/m", &from, &mut method, &mut body, &mut headers).unwrap();
        assert_eq!(method, Method::GET);
    }

    #[test]
    fn a_location_that_is_not_http_is_refused() {
        let from = Url::parse("https://gw.test/v1/chat").unwrap();
        let (mut method, mut body, mut headers) = posted();
        let e = follow(
            StatusCode::FOUND,
            "file:///etc/passwd",
            &from,
            &mut method,
            &mut body,
            &mut headers,
        )
        .err()
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.message().contains("not HTTP"), "{}", e.message());
        let e = follow(
            StatusCode::FOUND,
            "http://[::1",
            &from,
            &mut method,
            &mut body,
            &mut headers,
        )
        .err()
        .unwrap();
        assert!(e.message().contains("does not parse"), "{}", e.message());
    }

    #[tokio::test]
    async fn a_cross_origin_redirect_is_followed_without_the_key() {
        let target = serve(|_| Reply::ok("{\"at\":\"target\"}")).await;
        let to = format!("{}/v1/elsewhere", target.url);
        let origin = serve(move |_| Reply::redirect(307, &to)).await;
        let transport = Transport::new(&client_config(&origin.url, Duration::from_secs(2))).unwrap();
        let response = transport
            .send(&request(
                Method::POST,
                &format!("{}/v1/chat/completions", origin.url),
                Some("{\"a\":1}"),
                false,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(read_all(response.into_body()).await, b"{\"at\":\"target\"}");
        let sent = target.heads().remove(0).to_ascii_lowercase();
        assert!(sent.starts_with("post /v1/elsewhere http/1.1\r\n"), "{sent}");
        assert!(!sent.contains("authorization"), "{sent}");
        assert!(origin.heads()[0].to_ascii_lowercase().contains("authorization: bearer"));
        assert_eq!(target.bodies(), vec![b"{\"a\":1}".to_vec()], "a 307 resends the body");
    }

    #[tokio::test]
    async fn a_redirect_loop_ends_after_the_limit() {
        let server = serve(|_| Reply::redirect(302, "/v1/models")).await;
        let transport = Transport::new(&client_config(&server.url, Duration::from_secs(2))).unwrap();
        let e = transport
            .send(&request(Method::GET, &format!("{}/v1/models", server.url), None, false))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert_eq!(e.message(), "redirect not followed: more than 10 in a row");
        assert_eq!(server.heads().len(), MAX_REDIRECTS + 1);
    }
}
