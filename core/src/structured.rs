//! Structured outputs: the checks of the peers' `parse` helpers (openai-python's
//! `chat.completions.parse` / `responses.parse`, openai-node's, go-openai's
//! `VerifySchemaAndUnmarshal`), once, for every language.
//!
//! The rows `chat.parse` and `responses.parse` send the request as `chat` and `responses`
//! do; their answer is then checked here, in the peers' order, choice by choice:
//! `finish_reason: "length"` is a [`ErrorKind::LengthFinishReason`] error,
//! `"content_filter"` a [`ErrorKind::ContentFilterFinishReason`] one; a message with a
//! `refusal` gets `parsed: null` (the refusal kept); otherwise, when the request asked
//! for JSON (`response_format` `json_schema` or `json_object`), the content is parsed
//! (not JSON: [`ErrorKind::OutputValidation`], code `invalid_json`) and checked against
//! the schema the caller sent (a mismatch: the same kind, code `schema_mismatch`, `param`
//! the JSON Pointer of the failing value). The answer is handed back with `parsed` added to
//! every `choices[i].message` and `function.parsed_arguments` to every call of a strict
//! tool; every other value is the gateway's text, byte for byte. A host turns `parsed`
//! into its language's type (a pydantic model, a zod-parsed value, a Go struct).
//!
//! The schema check is a small validator for the subset OpenAI's strict mode accepts
//! (`type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
//! `anyOf`/`oneOf`/`allOf`, local `$ref` into `$defs`/`definitions`, and the numeric,
//! length and item-count bounds). `pattern` and `format` are not checked: strict mode
//! decodes against them on the server, and a regex engine is not worth its build cost here.

use std::fmt;

use bytes::Bytes;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};

/// A JSON object whose values are kept as the text they arrived as, in arrival order.
struct RawObject(Vec<(String, Box<RawValue>)>);

impl RawObject {
    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
    }

    fn set(&mut self, key: &str, value: Box<RawValue>) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    fn parse(text: &str) -> Result<RawObject, Error> {
        serde_json::from_str(text).map_err(|e| decode_error(format!("the response is not a JSON object ({e})")))
    }

    fn field<'a, T: Deserialize<'a>>(&'a self, key: &str) -> Result<Option<T>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => serde_json::from_str::<Option<T>>(raw.get())
                .map_err(|e| decode_error(format!("`{key}` does not have the expected shape ({e})"))),
        }
    }

    fn to_raw(&self) -> Box<RawValue> {
        // Serialising RawValues cannot fail: their text is JSON already.
        serde_json::value::to_raw_value(self).expect("raw values serialise")
    }
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for RawObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn decode_error(message: String) -> Error {
    Error::new(ErrorKind::Decode, message)
}

fn raw(value: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("values serialise")
}

/// What the caller asked to have parsed, read from the request before it is sent.
#[derive(Debug, Clone, Default)]
pub struct ParseSpec {
    /// `Some` when the answer's text is to be parsed as JSON; the schema when there is one.
    output: Option<Option<Value>>,
    /// Strict function tools: name and parameters schema.
    tools: Vec<(String, Option<Value>)>,
}

impl ParseSpec {
    /// Reads a `chat.parse` request: `response_format` and `tools`. A tool that is not a
    /// strict function is refused before anything is sent, as openai-python's `parse` does.
    pub fn for_chat(request_json: &str) -> Result<ParseSpec, Error> {
        let request: Map<String, Value> =
            serde_json::from_str(request_json).map_err(|e| Error::invalid("request", e))?;
        let output = match request.get("response_format") {
            Some(format) => output_of(format, "response_format", |f| f.get("json_schema"))?,
            None => None,
        };
        let mut tools = Vec::new();
        for tool in request.get("tools").and_then(Value::as_array).into_iter().flatten() {
            let kind = tool.get("type").and_then(Value::as_str).unwrap_or("");
            if kind != "function" {
                return Err(Error::invalid(
                    "tools",
                    format!("only `function` tools can be auto-parsed; received `{kind}`"),
                ));
            }
            let function = tool.get("function").unwrap_or(&Value::Null);
            let name = function.get("name").and_then(Value::as_str).unwrap_or("");
            if function.get("strict") != Some(&Value::Bool(true)) {
                return Err(Error::invalid(
                    "tools",
                    format!("`{name}` is not strict. Only `strict` function tools can be auto-parsed"),
                ));
            }
            tools.push((name.to_owned(), function.get("parameters").cloned()));
        }
        Ok(ParseSpec { output, tools })
    }

    /// Reads a `responses.parse` request: `text.format` and the strict function tools
    /// (a tool that is not strict is sent and its calls are left unparsed, as the peers do).
    pub fn for_responses(request_json: &str) -> Result<ParseSpec, Error> {
        let request: Map<String, Value> =
            serde_json::from_str(request_json).map_err(|e| Error::invalid("request", e))?;
        let output = match request.get("text").and_then(|t| t.get("format")) {
            Some(format) => output_of(format, "text", |f| Some(f))?,
            None => None,
        };
        let tools = request
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
            .filter(|t| t.get("strict") == Some(&Value::Bool(true)))
            .map(|t| {
                let name = t.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
                (name, t.get("parameters").cloned())
            })
            .collect();
        Ok(ParseSpec { output, tools })
    }

    fn tool(&self, name: &str) -> Option<&Option<Value>> {
        self.tools.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// `json_schema` → `Some(Some(schema))`, `json_object` → `Some(None)`, `text` → `None`.
fn output_of(
    format: &Value,
    field: &'static str,
    holder: impl Fn(&Value) -> Option<&Value>,
) -> Result<Option<Option<Value>>, Error> {
    match format.get("type").and_then(Value::as_str) {
        Some("json_schema") => {
            let schema = holder(format).and_then(|h| h.get("schema")).cloned();
            match schema {
                Some(schema @ Value::Object(_)) => Ok(Some(Some(schema))),
                Some(Value::Bool(true)) | None => Ok(Some(None)),
                Some(_) => Err(Error::invalid(field, "the json_schema's `schema` must be an object")),
            }
        }
        Some("json_object") => Ok(Some(None)),
        _ => Ok(None),
    }
}

fn output_error(code: &str, message: String, param: Option<String>) -> Error {
    Error::new(ErrorKind::OutputValidation, message.clone()).with_error_body(serde_json::json!({
        "message": message,
        "type": "output_validation",
        "code": code,
        "param": param,
    }))
}

/// Parses `text` as JSON and checks it against `schema`; `what` names the text in errors.
fn parse_checked(text: &str, schema: Option<&Value>, what: &str) -> Result<Value, Error> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| output_error("invalid_json", format!("{what} is not valid JSON ({e})"), None))?;
    if let Some(schema) = schema {
        if let Err(failure) = validate(schema, &value) {
            return Err(output_error(
                "schema_mismatch",
                format!(
                    "{what} does not match the schema at `{}`: {}",
                    if failure.path.is_empty() { "/" } else { &failure.path },
                    failure.reason
                ),
                Some(failure.path),
            ));
        }
    }
    Ok(value)
}

/// The `chat.parse` check of a chat completion body (see the module's documentation).
pub fn parse_chat(spec: &ParseSpec, body: &Bytes) -> Result<Bytes, Error> {
    let text = std::str::from_utf8(body).map_err(|e| decode_error(format!("the response is not UTF-8 ({e})")))?;
    let mut top = RawObject::parse(text)?;
    let mut choices: Vec<RawObject> = top.field("choices")?.unwrap_or_default();
    for (i, choice) in choices.iter_mut().enumerate() {
        let finish: Option<String> = choice.field("finish_reason")?;
        match finish.as_deref() {
            Some("length") => {
                return Err(Error::new(
                    ErrorKind::LengthFinishReason,
                    "Could not parse response content as the length limit was reached",
                )
                .with_error_body(serde_json::json!({
                    "message": "Could not parse response content as the length limit was reached",
                    "code": "length",
                    "completion": serde_json::from_str::<Value>(text).unwrap_or(Value::Null),
                })));
            }
            Some("content_filter") => {
                return Err(Error::new(
                    ErrorKind::ContentFilterFinishReason,
                    "Could not parse response content as the request was rejected by the content filter",
                ))
            }
            _ => {}
        }
        let Some(mut message) = choice.field::<RawObject>("message")? else {
            continue;
        };
        let content: Option<String> = message.field("content")?;
        let refusal: Option<String> = message.field("refusal")?;
        let parsed = match (&spec.output, content.as_deref(), refusal.as_deref()) {
            (Some(schema), Some(content), None) if !content.is_empty() => {
                parse_checked(content, schema.as_ref(), &format!("choices[{i}].message.content"))?
            }
            _ => Value::Null,
        };
        message.set("parsed", raw(&parsed));
        if let Some(mut calls) = message.field::<Vec<RawObject>>("tool_calls")? {
            for (j, call) in calls.iter_mut().enumerate() {
                let Some(mut function) = call.field::<RawObject>("function")? else {
                    continue;
                };
                let name: String = function.field("name")?.unwrap_or_default();
                let parsed = match spec.tool(&name) {
                    Some(schema) => {
                        let arguments: String = function.field("arguments")?.unwrap_or_default();
                        parse_checked(
                            &arguments,
                            schema.as_ref(),
                            &format!("choices[{i}].message.tool_calls[{j}].function.arguments"),
                        )?
                    }
                    None => Value::Null,
                };
                function.set("parsed_arguments", raw(&parsed));
                call.set("function", function.to_raw());
            }
            message.set(
                "tool_calls",
                serde_json::value::to_raw_value(&calls).expect("raw values serialise"),
            );
        }
        choice.set("message", message.to_raw());
    }
    if top.get("choices").is_some() {
        top.set(
            "choices",
            serde_json::value::to_raw_value(&choices).expect("raw values serialise"),
        );
    }
    Ok(Bytes::from(serde_json::to_vec(&top).expect("raw values serialise")))
}

/// The `responses.parse` check of a response body: every `output_text` part of a message
/// item gets `parsed`, every strict function call `parsed_arguments`, and the response
/// `output_parsed` (the first part's `parsed`, as the peers' property gives it).
pub fn parse_response(spec: &ParseSpec, body: &Bytes) -> Result<Bytes, Error> {
    let text = std::str::from_utf8(body).map_err(|e| decode_error(format!("the response is not UTF-8 ({e})")))?;
    let mut top = RawObject::parse(text)?;
    let mut output: Vec<RawObject> = top.field("output")?.unwrap_or_default();
    let mut first: Option<Value> = None;
    for (i, item) in output.iter_mut().enumerate() {
        let kind: Option<String> = item.field("type")?;
        match kind.as_deref() {
            Some("message") => {
                let Some(mut parts) = item.field::<Vec<RawObject>>("content")? else {
                    continue;
                };
                for (j, part) in parts.iter_mut().enumerate() {
                    if part.field::<String>("type")?.as_deref() != Some("output_text") {
                        continue;
                    }
                    let parsed = match (&spec.output, part.field::<String>("text")?) {
                        (Some(schema), Some(text)) if !text.is_empty() => {
                            parse_checked(&text, schema.as_ref(), &format!("output[{i}].content[{j}].text"))?
                        }
                        _ => Value::Null,
                    };
                    if first.is_none() && !parsed.is_null() {
                        first = Some(parsed.clone());
                    }
                    part.set("parsed", raw(&parsed));
                }
                item.set(
                    "content",
                    serde_json::value::to_raw_value(&parts).expect("raw values serialise"),
                );
            }
            Some("function_call") => {
                let name: String = item.field("name")?.unwrap_or_default();
                let parsed = match spec.tool(&name) {
                    Some(schema) => {
                        let arguments: String = item.field("arguments")?.unwrap_or_default();
                        parse_checked(&arguments, schema.as_ref(), &format!("output[{i}].arguments"))?
                    }
                    None => Value::Null,
                };
                item.set("parsed_arguments", raw(&parsed));
            }
            _ => {}
        }
    }
    if top.get("output").is_some() {
        top.set(
            "output",
            serde_json::value::to_raw_value(&output).expect("raw values serialise"),
        );
    }
    top.set("output_parsed", raw(&first.unwrap_or(Value::Null)));
    Ok(Bytes::from(serde_json::to_vec(&top).expect("raw values serialise")))
}

/// Why a value does not match its schema, and where (a JSON Pointer).
#[derive(Debug, PartialEq)]
pub struct SchemaFailure {
    /// JSON Pointer of the failing value (`""` for the whole value).
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks `value` against `schema` (the strict-mode subset, see the module's documentation).
pub fn validate(schema: &Value, value: &Value) -> Result<(), SchemaFailure> {
    let mut path = String::new();
    Validator {
        root: schema,
        budget: 100_000,
        depth: 0,
    }
    .check(schema, value, &mut path)
    .map_err(|reason| SchemaFailure {
        path: reason.0,
        reason: reason.1,
    })
}

struct Validator<'a> {
    root: &'a Value,
    /// Bounds the work a cyclic `$ref` can cause.
    budget: u32,
    /// Bounds the recursion (the stack) a cyclic `$ref` or a deep value can cause.
    depth: u32,
}

/// Deeper than any schema a model is given (the limits already bound a response's nesting).
const MAX_DEPTH: u32 = 96;

type Failure = (String, String);

/// A numeric bound's test: the value, the bound.
type Bound = fn(f64, f64) -> bool;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(v: &Value, ty: &str) -> bool {
    match (ty, v) {
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        ("number", Value::Number(_)) => true,
        _ => type_name(v) == ty,
    }
}

fn push_segment(path: &mut String, segment: &str) {
    path.push('/');
    path.push_str(&segment.replace('~', "~0").replace('/', "~1"));
}

impl<'a> Validator<'a> {
    fn fail<T>(path: &str, reason: impl Into<String>) -> Result<T, Failure> {
        Err((path.to_owned(), reason.into()))
    }

    fn resolve(&self, reference: &str, path: &str) -> Result<&'a Value, Failure> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            (
                path.to_owned(),
                format!("only local `$ref`s are supported, not {reference:?}"),
            )
        })?;
        self.root.pointer(pointer).ok_or_else(|| {
            (
                path.to_owned(),
                format!("the schema's `$ref` {reference:?} points nowhere"),
            )
        })
    }

    fn check(&mut self, schema: &'a Value, value: &Value, path: &mut String) -> Result<(), Failure> {
        self.budget = self.budget.checked_sub(1).ok_or_else(|| {
            (
                path.clone(),
                "the schema is too costly to check (a cyclic `$ref`?)".to_owned(),
            )
        })?;
        if self.depth >= MAX_DEPTH {
            return Self::fail(path, "the schema is too deep to check (a cyclic `$ref`?)");
        }
        self.depth += 1;
        let result = self.check_at(schema, value, path);
        self.depth -= 1;
        result
    }

    fn check_at(&mut self, schema: &'a Value, value: &Value, path: &mut String) -> Result<(), Failure> {
        let schema = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => return Self::fail(path, "no value is allowed here"),
            Value::Object(s) => s,
            _ => return Ok(()),
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = self.resolve(reference, path)?;
            self.check(target, value, path)?;
        }
        match schema.get("type") {
            Some(Value::String(ty)) if !has_type(value, ty) => {
                return Self::fail(path, format!("expected {ty}, got {}", type_name(value)));
            }
            Some(Value::Array(types)) if !types.iter().filter_map(Value::as_str).any(|t| has_type(value, t)) => {
                let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                return Self::fail(
                    path,
                    format!("expected {}, got {}", names.join(" or "), type_name(value)),
                );
            }
            _ => {}
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            if !options.iter().any(|o| json_eq(o, value)) {
                return Self::fail(path, format!("{value} is not one of {}", Value::Array(options.clone())));
            }
        }
        if let Some(constant) = schema.get("const") {
            if !json_eq(constant, value) {
                return Self::fail(path, format!("expected {constant}, got {value}"));
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(sub, value, path)?;
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(any) = schema.get(key).and_then(Value::as_array) {
                let mut first_failure = None;
                let mut matched = 0;
                for sub in any {
                    let mut sub_path = path.clone();
                    match self.check(sub, value, &mut sub_path) {
                        Ok(()) => matched += 1,
                        Err(f) => {
                            first_failure.get_or_insert(f);
                        }
                    }
                }
                if matched == 0 {
                    let (_, reason) = first_failure.unwrap_or_default();
                    return Self::fail(path, format!("matches none of the `{key}` schemas (first: {reason})"));
                }
                if key == "oneOf" && matched > 1 {
                    return Self::fail(path, "matches more than one of the `oneOf` schemas");
                }
            }
        }
        match value {
            Value::Object(object) => self.check_object(schema, object, path)?,
            Value::Array(items) => {
                let len = items.len() as u64;
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                    if len < min {
                        return Self::fail(path, format!("expected at least {min} items, got {len}"));
                    }
                }
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                    if len > max {
                        return Self::fail(path, format!("expected at most {max} items, got {len}"));
                    }
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let at = path.len();
                        push_segment(path, &i.to_string());
                        self.check(item_schema, item, path)?;
                        path.truncate(at);
                    }
                }
            }
            Value::String(s) => {
                let len = s.chars().count() as u64;
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                    if len < min {
                        return Self::fail(path, format!("expected at least {min} characters, got {len}"));
                    }
                }
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                    if len > max {
                        return Self::fail(path, format!("expected at most {max} characters, got {len}"));
                    }
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
                let checks: [(&str, Bound, &str); 4] = [
                    ("minimum", |x, b| x >= b, ">="),
                    ("maximum", |x, b| x <= b, "<="),
                    ("exclusiveMinimum", |x, b| x > b, ">"),
                    ("exclusiveMaximum", |x, b| x < b, "<"),
                ];
                for (key, ok, op) in checks {
                    if let Some(b) = bound(key) {
                        if !ok(x, b) {
                            return Self::fail(path, format!("expected a number {op} {b}, got {n}"));
                        }
                    }
                }
                if let Some(m) = bound("multipleOf").filter(|m| *m > 0.0) {
                    if ((x / m) - (x / m).round()).abs() > 1e-9 {
                        return Self::fail(path, format!("expected a multiple of {m}, got {n}"));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_object(
        &mut self,
        schema: &'a Map<String, Value>,
        object: &Map<String, Value>,
        path: &mut String,
    ) -> Result<(), Failure> {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = name.as_str() {
                if !object.contains_key(name) {
                    return Self::fail(path, format!("missing required property `{name}`"));
                }
            }
        }
        for (key, item) in object {
            let at = path.len();
            push_segment(path, key);
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => self.check(sub, item, path)?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        path.truncate(at);
                        return Self::fail(path, format!("property `{key}` is not allowed"));
                    }
                    Some(sub @ Value::Object(_)) => self.check(sub, item, path)?,
                    _ => {}
                },
            }
            path.truncate(at);
        }
        Ok(())
    }
}

/// JSON equality with numbers by value (`1` = `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "age": {"type": "integer", "minimum": 0},
                "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
                "nick": {"anyOf": [{"type": "string"}, {"type": "null"}]}
            },
            "required": ["name", "age", "tags", "nick"],
            "additionalProperties": false,
            "$defs": {"Tag": {"type": "object", "properties": {"k": {"enum": ["a", "b"]}}, "required": ["k"], "additionalProperties": false}}
        })
    }

    #[test]
    fn the_strict_subset_is_checked_with_the_failing_path() {
        let s = schema();
        assert_eq!(
            validate(&s, &json!({"name": "x", "age": 3, "tags": [{"k": "a"}], "nick": null})),
            Ok(())
        );
        let fail = |v: Value| validate(&s, &v).unwrap_err();
        assert_eq!(
            fail(json!({"name": "x", "age": 3, "tags": []})).reason,
            "missing required property `nick`"
        );
        let f = fail(json!({"name": "x", "age": 3, "tags": [{"k": "a"}, {"k": "c"}], "nick": null}));
        assert_eq!(f.path, "/tags/1/k");
        assert_eq!(
            fail(json!({"name": "x", "age": 1.5, "tags": [], "nick": null})).path,
            "/age"
        );
        assert_eq!(
            fail(json!({"name": "x", "age": -1, "tags": [], "nick": null})).path,
            "/age"
        );
        assert_eq!(
            fail(json!({"name": "", "age": 1, "tags": [], "nick": null})).path,
            "/name"
        );
        assert_eq!(
            fail(json!({"name": "x", "age": 1, "tags": [], "nick": 3})).path,
            "/nick"
        );
        let f = fail(json!({"name": "x", "age": 1, "tags": [], "nick": null, "extra": 1}));
        assert_eq!(
            (f.path.as_str(), f.reason.as_str()),
            ("", "property `extra` is not allowed")
        );
        assert_eq!(fail(json!([1])).reason, "expected object, got array");
        assert_eq!(validate(&json!({"type": "integer"}), &json!(2.0)), Ok(()));
    }

    #[test]
    fn a_cyclic_ref_is_bounded() {
        let s = json!({"$ref": "#"});
        assert!(validate(&s, &json!(1)).unwrap_err().reason.contains("too deep"));
    }

    #[test]
    fn chat_answers_get_parsed_and_keep_every_other_value() {
        let request = json!({"model": "m", "messages": [],
            "response_format": {"type": "json_schema", "json_schema": {"name": "P", "strict": true, "schema": schema()}},
            "tools": [{"type": "function", "function": {"name": "f", "strict": true,
                "parameters": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"], "additionalProperties": false}}}]});
        let spec = ParseSpec::for_chat(&request.to_string()).unwrap();
        let body = r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"{\"name\":\"x\",\"age\":3,\"tags\":[],\"nick\":\"n\"}","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{\"x\": 1.50}"}}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":1.0}}"#;
        let out = parse_chat(&spec, &Bytes::from(body)).unwrap();
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.contains(r#""usage":{"prompt_tokens":1.0}"#), "{text}");
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["choices"][0]["message"]["parsed"]["nick"], "n");
        assert_eq!(
            v["choices"][0]["message"]["tool_calls"][0]["function"]["parsed_arguments"],
            json!({"x": 1.5})
        );
        assert_eq!(
            v["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
            "{\"x\": 1.50}"
        );

        let refusal = r#"{"choices":[{"message":{"content":null,"refusal":"no"},"finish_reason":"stop"}]}"#;
        let v: Value = serde_json::from_slice(&parse_chat(&spec, &Bytes::from(refusal)).unwrap()).unwrap();
        assert_eq!(v["choices"][0]["message"]["parsed"], Value::Null);
        assert_eq!(v["choices"][0]["message"]["refusal"], "no");

        let kind = |b: &'static str| parse_chat(&spec, &Bytes::from(b)).unwrap_err();
        let e = kind(r#"{"choices":[{"message":{"content":"{"},"finish_reason":"length"}]}"#);
        assert_eq!(e.kind(), ErrorKind::LengthFinishReason);
        let e = kind(r#"{"choices":[{"message":{"content":""},"finish_reason":"content_filter"}]}"#);
        assert_eq!(e.kind(), ErrorKind::ContentFilterFinishReason);
        let e = kind(r#"{"choices":[{"message":{"content":"not json"},"finish_reason":"stop"}]}"#);
        assert_eq!(
            (e.kind(), e.code()),
            (ErrorKind::OutputValidation, Some("invalid_json"))
        );
        let e = kind(r#"{"choices":[{"message":{"content":"{\"name\":\"x\"}"},"finish_reason":"stop"}]}"#);
        assert_eq!((e.code(), e.param()), (Some("schema_mismatch"), Some("")));
        assert!(
            e.message().contains("missing required property `age`"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_tool_that_is_not_strict_is_refused_before_sending() {
        let request = json!({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]});
        let e = ParseSpec::for_chat(&request.to_string()).unwrap_err();
        assert_eq!(e.field(), Some("tools"));
        assert!(e.message().contains("`f` is not strict"));
    }

    #[test]
    fn responses_get_output_parsed() {
        let request = json!({"text": {"format": {"type": "json_schema", "name": "P", "schema": {"type": "object", "required": ["a"]}}}});
        let spec = ParseSpec::for_responses(&request.to_string()).unwrap();
        let body = r#"{"id":"r","output":[{"type":"message","content":[{"type":"output_text","text":"{\"a\":1}"}]}]}"#;
        let v: Value = serde_json::from_slice(&parse_response(&spec, &Bytes::from(body)).unwrap()).unwrap();
        assert_eq!(v["output_parsed"], json!({"a": 1}));
        assert_eq!(v["output"][0]["content"][0]["parsed"], json!({"a": 1}));
        let bad = r#"{"output":[{"type":"message","content":[{"type":"output_text","text":"{}"}]}]}"#;
        assert_eq!(
            parse_response(&spec, &Bytes::from(bad)).unwrap_err().code(),
            Some("schema_mismatch")
        );
    }
}
