// Package jsonschema is go-openai's jsonschema package for routerkit: a JSON
// Schema as a Go struct (Definition), a schema generated from a Go type
// (GenerateSchemaForType), and a check of a model's answer against a schema
// before decoding it (VerifySchemaAndUnmarshal). Code importing
// github.com/sashabaranov/go-openai/jsonschema works with the import
// github.com/routerkit/routerkit/bindings/go/jsonschema.
//
// It covers the keywords structured outputs and tool parameters use; pass a
// json.RawMessage as the schema for anything it lacks (sent byte for byte).
package jsonschema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// DataType is a schema's "type".
type DataType string

const (
	Object  DataType = "object"
	Number  DataType = "number"
	Integer DataType = "integer"
	String  DataType = "string"
	Array   DataType = "array"
	Null    DataType = "null"
	Boolean DataType = "boolean"
)

// Definition is a JSON Schema. Properties is a map, so its keys are written
// in sorted order (as go-openai writes them); for a schema whose property order
// matters, send a json.RawMessage.
type Definition struct {
	Type        DataType `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
	// Enum restricts a string to these values.
	Enum []string `json:"enum,omitempty"`
	// Properties of an object.
	Properties map[string]Definition `json:"properties,omitempty"`
	// Required properties of an object.
	Required []string `json:"required,omitempty"`
	// Items is the schema of an array's elements.
	Items *Definition `json:"items,omitempty"`
	// AdditionalProperties: true, false, or a Definition.
	AdditionalProperties any  `json:"additionalProperties,omitempty"`
	Nullable             bool `json:"nullable,omitempty"`
	// Ref is a reference, "#/$defs/Name".
	Ref string `json:"$ref,omitempty"`
	// Defs are the definitions references point to.
	Defs map[string]Definition `json:"$defs,omitempty"`
	// AnyOf: valid when at least one of these is.
	AnyOf []Definition `json:"anyOf,omitempty"`
}

// MarshalJSON makes *Definition a json.Marshaler, so that it can be the Schema
// of a ChatCompletionResponseFormatJSONSchema.
func (d *Definition) MarshalJSON() ([]byte, error) {
	type plain Definition // no methods: no recursion
	return json.Marshal((*plain)(d))
}

// Unmarshal checks content against the schema, then decodes it into v.
func (d *Definition) Unmarshal(content string, v any) error {
	return VerifySchemaAndUnmarshal(*d, []byte(content), v)
}

// GenerateSchemaForType builds the schema of v's type: structs by their fields'
// json tags (a field is required unless its tag has ",omitempty" or a
// `required:"false"` tag says so; `description`, `enum` (comma-separated) and
// `nullable` tags fill those keywords), named structs as $defs with $ref (the
// root one inlined). Maps, interfaces, channels, funcs and complex numbers are
// an error.
func GenerateSchemaForType(v any) (*Definition, error) {
	defs := map[string]Definition{}
	def, err := schemaOf(reflect.TypeOf(v), defs)
	if err != nil {
		return nil, err
	}
	if def.Ref != "" {
		// Inline the root type's definition; a root that refers to itself keeps
		// its entry in $defs for those references.
		ref := def.Ref
		name := strings.TrimPrefix(ref, "#/$defs/")
		if root, ok := defs[name]; ok {
			delete(defs, name)
			root.Defs = defs
			if refersTo(root, ref) {
				root.Defs = nil
				defs[name] = root
			}
			*def = root
		}
		def.Ref = ""
	}
	def.Defs = defs
	return def, nil
}

func schemaOf(t reflect.Type, defs map[string]Definition) (*Definition, error) {
	if t == nil {
		return nil, fmt.Errorf("unsupported type: %s", reflect.Invalid)
	}
	switch t.Kind() {
	case reflect.String:
		return &Definition{Type: String}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Definition{Type: Integer}, nil
	case reflect.Float32, reflect.Float64:
		return &Definition{Type: Number}, nil
	case reflect.Bool:
		return &Definition{Type: Boolean}, nil
	case reflect.Slice, reflect.Array:
		items, err := schemaOf(t.Elem(), defs)
		if err != nil {
			return nil, err
		}
		return &Definition{Type: Array, Items: items}, nil
	case reflect.Pointer:
		return schemaOf(t.Elem(), defs)
	case reflect.Struct:
		if t.Name() == "" {
			return objectOf(t, defs)
		}
		if _, seen := defs[t.Name()]; !seen {
			defs[t.Name()] = Definition{} // placeholder: a recursive type stops here
			obj, err := objectOf(t, defs)
			if err != nil {
				return nil, err
			}
			defs[t.Name()] = *obj
		}
		return &Definition{Ref: "#/$defs/" + t.Name()}, nil
	default:
		return nil, fmt.Errorf("unsupported type: %s", t.Kind())
	}
}

func objectOf(t reflect.Type, defs map[string]Definition) (*Definition, error) {
	props := map[string]Definition{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, isRequired := f.Tag.Get("json"), true
		switch {
		case name == "-":
			continue
		case name == "":
			name = f.Name
		case strings.HasSuffix(name, ",omitempty"):
			name, isRequired = strings.TrimSuffix(name, ",omitempty"), false
		}
		prop, err := schemaOf(f.Type, defs)
		if err != nil {
			return nil, err
		}
		if d := f.Tag.Get("description"); d != "" {
			prop.Description = d
		}
		if e := f.Tag.Get("enum"); e != "" {
			prop.Enum = strings.Split(e, ",")
		}
		if n := f.Tag.Get("nullable"); n != "" {
			prop.Nullable, _ = strconv.ParseBool(n)
		}
		props[name] = *prop
		if r := f.Tag.Get("required"); r != "" {
			isRequired, _ = strconv.ParseBool(r)
		}
		if isRequired {
			required = append(required, name)
		}
	}
	return &Definition{Type: Object, AdditionalProperties: false, Properties: props, Required: required}, nil
}

// refersTo reports whether ref appears anywhere in d.
func refersTo(d Definition, ref string) bool {
	if d.Ref == ref {
		return true
	}
	for _, sub := range d.Defs {
		if refersTo(sub, ref) {
			return true
		}
	}
	for _, sub := range d.Properties {
		if refersTo(sub, ref) {
			return true
		}
	}
	return d.Items != nil && refersTo(*d.Items, ref)
}
