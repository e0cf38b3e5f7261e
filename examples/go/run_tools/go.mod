module github.com/routerkit/routerkit/examples/go/run_tools

go 1.26

require github.com/routerkit/routerkit/bindings/go v0.0.0

require github.com/goccy/go-json v0.10.5 // indirect

replace github.com/routerkit/routerkit/bindings/go => ../../../bindings/go
