package app

import (
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/douyin"
	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/adapters/jd"
	"github.com/chatbridge/chatbridge/adapters/pdd"
	"github.com/chatbridge/chatbridge/adapters/shopify"
	"github.com/chatbridge/chatbridge/adapters/taobao"
	"github.com/chatbridge/chatbridge/adapters/telegram"
	"github.com/chatbridge/chatbridge/adapters/wecomkf"
	"github.com/chatbridge/chatbridge/adapters/whatsapp"
	"github.com/chatbridge/chatbridge/internal/ratelimit"
	"github.com/chatbridge/chatbridge/internal/tokencache"
)

// adapterDeps are the shared services every platform adapter is built with.
func adapterDeps(rdb redis.UniversalClient) adapters.Deps {
	return adapters.Deps{
		HTTP:    &http.Client{Timeout: 15 * time.Second},
		Tokens:  tokencache.New(rdb),
		Limiter: ratelimit.New(rdb),
		Now:     time.Now,
	}
}

// newRegistry registers every channel type ChatBridge speaks. A new adapter is one
// line here (see docs/adapters.md).
func newRegistry(d adapters.Deps) *adapters.Registry {
	return adapters.NewRegistry(
		generic.New(d.HTTP),
		taobao.New(d),
		pdd.New(d),
		jd.New(d),
		douyin.New(d),
		shopify.New(d),
		wecomkf.New(d),
		telegram.New(d),
		whatsapp.New(d),
	)
}
