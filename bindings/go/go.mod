module github.com/routerkit/routerkit/bindings/go

go 1.26

require github.com/goccy/go-json v0.10.5
