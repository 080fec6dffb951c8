# ChatBridge developer tasks. `make` (or `make help`) lists them.
#
# The Go tests need MariaDB and Redis (see scripts/services.sh); they find them through
#   CHATBRIDGE_TEST_MYSQL_DSN   default root@tcp(127.0.0.1:3306)/
#   CHATBRIDGE_TEST_REDIS_ADDR  default 127.0.0.1:6379
# and the browser test finds Chromium through CHATBRIDGE_CHROMIUM (default /usr/bin/chromium).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO    ?= go
GOFMT ?= gofmt
NPM   ?= npm
BIN   := bin/chatbridge
# Extra arguments for `make run`, e.g. make run ARGS='--config configs/chatbridge.yaml'
ARGS  ?=

# Fuzz targets, one per line: package directory:FuzzFunction
FUZZ_TARGETS += ./adapters/generic/:FuzzParseBody
FUZZ_TARGETS += ./adapters/shopify/:FuzzParseWebhook
FUZZ_TARGETS += ./adapters/pdd/:FuzzParseIncrement
FUZZ_TARGETS += ./adapters/wecomkf/:FuzzParseWebhook
FUZZ_TARGETS += ./adapters/wecomkf/:FuzzSyncPage
FUZZ_TARGETS += ./adapters/telegram/:FuzzParseUpdate
FUZZ_TARGETS += ./adapters/whatsapp/:FuzzParseWebhook
FUZZ_TARGETS += ./internal/logistics/kuaidi100/:FuzzParsePush
FUZZ_TARGETS += ./internal/logistics/aftership/:FuzzParsePush

FUZZTIME_SHORT ?= 20s
FUZZTIME       ?= 5m

.PHONY: help web build run demo test services-check fuzz-short fuzz bench lint migrate clean

help: ## List the targets
	@echo 'Usage: make TARGET'
	@echo
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-12s %s\n", $$1, $$2 }'

web: ## Build the web app into web/dist (npm ci first when web/node_modules is missing or stale)
	@if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then \
		echo 'cd web && $(NPM) ci'; \
		(cd web && $(NPM) ci) && touch web/node_modules; \
	fi
	cd web && $(NPM) run build

build: web ## Build the web app and the binary bin/chatbridge
	$(GO) build -o $(BIN) ./cmd/chatbridge

run: build ## Build and run serve + worker in one process (./bin/chatbridge all ARGS...)
	./$(BIN) all $(ARGS)

demo: build ## Build and start the demo (./bin/chatbridge demo)
	./$(BIN) demo

test: ## The whole suite: web build, go vet, Go tests (race), web tests, short fuzzing
	$(MAKE) services-check
	$(MAKE) web
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	cd web && $(NPM) test
	$(MAKE) fuzz-short

# Not listed in help: part of `test`.
services-check:
	@scripts/services.sh check || { \
		echo; \
		if [ -n "$${CI:-}" ]; then \
			echo 'MariaDB and Redis must answer before the Go tests; .ci/run starts them (scripts/services.sh ensure): see its output above.'; \
		else \
			echo 'MariaDB and Redis must answer before the Go tests. Start them, e.g.'; \
			echo '  sudo scripts/services.sh ensure   (installs with apt-get if needed, then starts both)'; \
			echo 'or run the whole CI job: bash .ci/run'; \
			echo 'Elsewhere, point CHATBRIDGE_TEST_MYSQL_DSN / CHATBRIDGE_TEST_REDIS_ADDR at running servers.'; \
		fi; \
		exit 1; \
	} >&2

fuzz-short: ## Fuzz each target briefly (FUZZTIME_SHORT, default 20s)
	@$(call fuzz-all,$(FUZZTIME_SHORT))

fuzz: ## Fuzz each target for longer (FUZZTIME, default 5m)
	@$(call fuzz-all,$(FUZZTIME))

# fuzz-all TIME: runs every FUZZ_TARGETS entry in turn, stopping at the first failure.
define fuzz-all
for t in $(FUZZ_TARGETS); do \
	pkg=$${t%%:*}; fn=$${t##*:}; \
	grep -qs "^func $$fn(" "$$pkg"/*_test.go || { echo "fuzz: no $$fn in $$pkg" >&2; exit 1; }; \
	echo "$(GO) test -run='^$$' -fuzz='^$$fn\$$' -fuzztime=$(1) $$pkg"; \
	$(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(1) "$$pkg"; \
done
endef

bench: ## Run the benchmarks
	$(GO) test -run='^$$' -bench=. -benchmem ./...

lint: ## gofmt (fails on unformatted files) and go vet
	@files=$$(find . \( -path ./web/node_modules -o -path ./.git -o -name testdata \) -prune \
		-o -name '*.go' -type f -print); \
	bad=$$($(GOFMT) -l $$files); \
	if [ -n "$$bad" ]; then echo 'gofmt: these files need formatting (gofmt -w):'; echo "$$bad"; exit 1; fi; \
	echo 'gofmt: ok'
	$(GO) vet ./...

migrate: build ## Build and apply the database migrations (./bin/chatbridge migrate)
	./$(BIN) migrate

clean: ## Remove bin/ and the built web app (keeps web/dist/.gitkeep)
	rm -rf bin
	[ ! -d web/dist ] || find web/dist -mindepth 1 ! -name .gitkeep -delete
