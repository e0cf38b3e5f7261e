module github.com/routerkit/routerkit/bindings/go

go 1.26
