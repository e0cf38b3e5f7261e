//! Core errors → a JS `Error` whose message is a JSON payload
//! (napi cannot throw custom classes; `errors.js` maps the payload to them).

use serde_json::{json, Value};

/// Marker the JS layer looks for before parsing the message.
pub const PREFIX: &str = "{\"routerkit\":1,";

pub fn to_napi(e: routerkit::Error) -> napi::Error {
    let headers: Vec<Value> = e.headers().iter().map(|(k, v)| json!([k, v])).collect();
    let payload = json!({
        "kind": e.kind().as_str(),
        "message": e.to_string(),
        "status": e.status(),
        "code": e.code(),
        "type": e.error_type(),
        "param": e.param(),
        "body": e.body(),
        "headers": headers,
        "requestId": e.request_id(),
        "retryAfter": e.retry_after().map(|d| d.as_secs_f64() * 1000.0),
        "attempts": e.attempts(),
        "field": e.field(),
    });
    // `{"routerkit":1,` + the payload's fields.
    let text = payload.to_string();
    napi::Error::new(napi::Status::GenericFailure, format!("{PREFIX}{}", &text[1..]))
}
