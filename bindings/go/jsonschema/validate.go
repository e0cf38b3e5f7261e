package jsonschema

import (
	"encoding/json"
	"errors"
	"slices"
)

// errValidation is VerifySchemaAndUnmarshal's error for data the schema refuses.
var errValidation = errors.New("data validation failed against the provided schema")

// CollectDefs gathers every $defs entry of def and of its properties and
// items, keyed by its reference path ("#/$defs/Name", "#/properties/p/$defs/Name"…).
func CollectDefs(def Definition) map[string]Definition {
	out := map[string]Definition{}
	collectDefs(def, "#", out)
	return out
}

func collectDefs(def Definition, path string, out map[string]Definition) {
	for name, sub := range def.Defs {
		p := path + "/$defs/" + name
		out[p] = sub
		collectDefs(sub, p, out)
	}
	for name, sub := range def.Properties {
		collectDefs(sub, path+"/properties/"+name, out)
	}
	if def.Items != nil {
		collectDefs(*def.Items, path, out)
	}
}

// VerifySchemaAndUnmarshal decodes content into v if it is JSON the schema accepts.
func VerifySchemaAndUnmarshal(schema Definition, content []byte, v any) error {
	var data any
	if err := json.Unmarshal(content, &data); err != nil {
		return err
	}
	if !Validate(schema, data, WithDefs(CollectDefs(schema))) {
		return errValidation
	}
	return json.Unmarshal(content, &v)
}

type validateArgs struct {
	Defs map[string]Definition
}

// ValidateOption configures Validate.
type ValidateOption func(*validateArgs)

// WithDefs gives the definitions $ref values resolve to (keys as CollectDefs makes them).
func WithDefs(defs map[string]Definition) ValidateOption {
	return func(a *validateArgs) { a.Defs = defs }
}

// Validate reports whether data (as encoding/json decodes into an any) fits
// schema: its type, an object's required and listed properties, an array's
// items, a string's enum, anyOf, and $ref (the schema's own $defs unless
// WithDefs gives others).
func Validate(schema Definition, data any, opts ...ValidateOption) bool {
	var a validateArgs
	for _, o := range opts {
		o(&a)
	}
	if len(opts) == 0 {
		a.Defs = CollectDefs(schema)
	}
	if len(schema.AnyOf) > 0 {
		for _, sub := range schema.AnyOf {
			if Validate(sub, data, WithDefs(a.Defs)) {
				return true
			}
		}
		return false
	}
	switch schema.Type {
	case Object:
		obj, ok := data.(map[string]any)
		if !ok {
			return false
		}
		for _, name := range schema.Required {
			if _, ok := obj[name]; !ok {
				return false
			}
		}
		for name, sub := range schema.Properties {
			if value, ok := obj[name]; ok && !Validate(sub, value, WithDefs(a.Defs)) {
				return false
			}
		}
		return true
	case Array:
		list, ok := data.([]any)
		if !ok {
			return false
		}
		if schema.Items == nil {
			return true
		}
		for _, item := range list {
			if !Validate(*schema.Items, item, WithDefs(a.Defs)) {
				return false
			}
		}
		return true
	case String:
		s, ok := data.(string)
		return ok && (len(schema.Enum) == 0 || slices.Contains(schema.Enum, s))
	case Number:
		switch data.(type) {
		case float64, int:
			return true
		}
		return false
	case Integer:
		switch n := data.(type) {
		case float64:
			return n == float64(int64(n))
		case int:
			return true
		}
		return false
	case Boolean:
		_, ok := data.(bool)
		return ok
	case Null:
		return data == nil
	default:
		if schema.Ref != "" && a.Defs != nil {
			if def, ok := a.Defs[schema.Ref]; ok {
				return Validate(def, data, WithDefs(a.Defs))
			}
		}
		return false
	}
}
