//! A JSON value that satisfies a JSON Schema, for the default answer to a structured-output
//! request (`response_format: {type: json_schema}`): every property filled (strict mode requires
//! them all), strings with the user's text, numbers 1, booleans true, one item per array, the
//! first of an `enum` or an `anyOf`, local `$ref`s followed. Deterministic, so tests and users'
//! `parse` calls get a valid answer without scripting one.

use serde_json::{json, Map, Value};

/// A value for `schema` (whose `$ref`s point into `root`); `text` fills strings.
pub fn instance(schema: &Value, root: &Value, text: &str) -> Value {
    fill(schema, root, text, 0)
}

fn fill(schema: &Value, root: &Value, text: &str, depth: usize) -> Value {
    // Deep enough for any real schema; a recursive one ends in null rather than looping.
    if depth > 16 {
        return Value::Null;
    }
    let Some(s) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix('#').and_then(|p| root.pointer(p));
        return target.map_or(Value::Null, |t| fill(t, root, text, depth + 1));
    }
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    if let Some(first) = s.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            // A non-null branch when there is one: `Optional[X]` answers with an X.
            let branch = branches
                .iter()
                .find(|b| b.get("type") != Some(&json!("null")))
                .or(branches.first());
            return branch.map_or(Value::Null, |b| fill(b, root, text, depth + 1));
        }
    }
    if let Some(first) = s.get("allOf").and_then(Value::as_array).and_then(|a| a.first()) {
        return fill(first, root, text, depth + 1);
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            for (key, sub) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
                out.insert(key.clone(), fill(sub, root, text, depth + 1));
            }
            Value::Object(out)
        }
        "array" => match s.get("items") {
            Some(items) if s.get("maxItems").and_then(Value::as_u64) != Some(0) => {
                json!([fill(items, root, text, depth + 1)])
            }
            _ => json!([]),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_is_filled_refs_followed() {
        let schema = json!({
            "type": "object",
            "properties": {
                "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                "n": {"type": "integer"},
                "unit": {"enum": ["apples", "pears"]},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "ok": {"type": ["boolean", "null"]}
            },
            "$defs": {"Step": {"type": "object", "properties": {"output": {"type": "string"}}}}
        });
        assert_eq!(
            instance(&schema, &schema, "hi"),
            json!({"steps": [{"output": "hi"}], "n": 1, "unit": "apples", "note": "hi", "ok": true})
        );
        let cyclic = json!({"$ref": "#"});
        assert_eq!(instance(&cyclic, &cyclic, "x"), Value::Null);
    }
}
