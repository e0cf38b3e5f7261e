module github.com/routerkit/routerkit/tests/dropin/go

go 1.26

require github.com/sashabaranov/go-openai v1.43.0
