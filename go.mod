module github.com/chatbridge/chatbridge

go 1.26
