package openai

import (
	"fmt"
	"reflect"
	"strings"

	json "github.com/goccy/go-json"
)

// marshalRequest is json.Marshal of a request struct; a value JSON cannot carry
// (a channel or a func in an `any` field) gives an invalid-request error
// naming the JSON field at fault, as a wrong value does in the engine.
func marshalRequest(req any) ([]byte, error) {
	body, err := json.Marshal(req)
	if err == nil {
		return body, nil
	}
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, ferr := json.Marshal(v.Field(i).Interface()); ferr != nil {
				return nil, &invalidRequestError{field: name, msg: fmt.Sprintf("invalid `%s`: %v", name, ferr)}
			}
		}
	}
	return nil, &invalidRequestError{field: "request", msg: "invalid `request`: " + err.Error()}
}

// checkConfig refuses what the engine would not see: a negative MaxRetries (which
// would otherwise mean 0), a negative HTTPClient.Timeout (which would mean none),
// HTTPClient settings the engine cannot apply, and an APIType whose URL and
// header shape the engine does not speak.
func checkConfig(c ClientConfig) error {
	if c.MaxRetries < 0 {
		return &invalidRequestError{field: "max_retries", msg: fmt.Sprintf("invalid `max_retries`: MaxRetries must not be negative, got %d", c.MaxRetries)}
	}
	if d := httpTimeout(c.HTTPClient); d < 0 {
		return &invalidRequestError{field: "deadline", msg: fmt.Sprintf("invalid `deadline`: HTTPClient.Timeout must not be negative, got %s", d)}
	}
	if err := checkHTTPClient(c); err != nil {
		return err
	}
	return checkAPIType(c)
}

// checkAPIType refuses go-openai's API types other than OpenAI's: their URL
// and key header shape is not what the engine sends.
func checkAPIType(c ClientConfig) error {
	switch c.APIType {
	case "", APITypeOpenAI:
		return nil
	case APITypeAzure, APITypeAzureAD, APITypeCloudflareAzure:
		return &invalidRequestError{field: "api_type", msg: fmt.Sprintf("invalid `api_type`: %s is not supported: routerkit's engine sends the key as "+
			"\"Authorization: Bearer\" to {BaseURL}/chat/completions, not to Azure's /openai/deployments/{name}/…?api-version=… with an api-key header; "+
			"use DefaultConfig with Azure's OpenAI-compatible endpoint (BaseURL https://<resource>.openai.azure.com/openai/v1) or a gateway in front of Azure", c.APIType)}
	default:
		return &invalidRequestError{field: "api_type", msg: fmt.Sprintf("invalid `api_type`: %s is not supported: routerkit's engine speaks the OpenAI-compatible "+
			"API only (Authorization: Bearer, {BaseURL}/chat/completions); use DefaultConfig with the provider's OpenAI-compatible BaseURL", c.APIType)}
	}
}
