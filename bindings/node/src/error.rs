//! Core errors → a JS `Error` whose message is the core's wire form of the error
//! (`routerkit::bridge::wire::ErrorWire`) behind a prefix (napi cannot throw custom
//! classes; `errors.js` maps the payload to them).

use routerkit::bridge::wire::ErrorWire;

/// Marker the JS layer looks for before parsing the message.
pub const PREFIX: &str = "{\"routerkit\":1,";

pub fn to_napi(e: routerkit::Error) -> napi::Error {
    // `{"routerkit":1,` + the wire form's fields.
    let text = ErrorWire::of(&e).to_json();
    napi::Error::new(napi::Status::GenericFailure, format!("{PREFIX}{}", &text[1..]))
}
