// Command chatbridge runs ChatBridge: the API and web inbox (serve), the background
// workers (worker), both in one process (all, the default), the schema migrations
// (migrate), or the demo shop (demo).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
