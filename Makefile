# auth0-wizard: `make run` (the wizard; the built-in sandbox tenant when AUTH0_DOMAIN is unset)
# and `make test` (everything CI proves).
GO      ?= go
BIN     := bin/auth0-wizard
PKG     := ./cmd/auth0-wizard

# golangci-lint, pinned, built into bin/tools (gitignored) and kept out of go.mod.
GOLANGCI_LINT_VERSION := v2.15.0
TOOLS   := $(CURDIR)/bin/tools
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: run build test vet tools lint tidy-check check-layers bench fmt golden fuzz realclients

# Built then run (not `go run`): the wizard's own exit status reaches the
# shell, and quitting by Ctrl+C (130) is not reported as a make failure.
run: build
ifeq ($(strip $(AUTH0_DOMAIN)),)
	@$(BIN) --sandbox $(ARGS) || [ $$? -eq 130 ]
else
	@$(BIN) $(ARGS) || [ $$? -eq 130 ]
endif

build:
	$(GO) build -o $(BIN) $(PKG)

vet:
	$(GO) vet ./...

# go.mod and go.sum are what `go mod tidy` makes of the imports.
tidy-check:
	$(GO) mod tidy -diff

# Named by its version, so that a new pin builds the new one.
$(GOLANGCI_LINT):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/golangci-lint $@

tools: $(GOLANGCI_LINT)

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

# steps/ and auth0client/ must never pull in the UI.
check-layers:
	@if $(GO) list -deps ./steps/... ./auth0client/... | grep -q '^charm.land/'; then \
		echo "check-layers: steps/ or auth0client/ imports charm.land/"; exit 1; fi
	@if $(GO) list -deps ./steps/... | grep -q 'github.com/auth0/go-auth0'; then \
		echo "check-layers: steps/ imports go-auth0 (only auth0client/ may)"; exit 1; fi
	@echo "check-layers: ok"

# Auth0's own Node.js clients (the SDK and the Deploy CLI, pinned in
# sandbox/testdata/realclients) run against the sandbox in its tests:
# installed from the npm registry when npm is here and they are not yet;
# without node (20.19 or newer) those tests skip and say so.
REALCLIENTS := sandbox/testdata/realclients
realclients:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "realclients: no npm here; the sandbox's Node.js client tests will skip"; \
	elif ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a==20&&b>=19)?0:1)'; then \
		echo "realclients: node $$(node --version) is older than 20.19 (Auth0's pinned packages need it); those tests will skip"; \
	elif [ ! -d $(REALCLIENTS)/node_modules ] || [ $(REALCLIENTS)/package-lock.json -nt $(REALCLIENTS)/node_modules ]; then \
		cd $(REALCLIENTS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	fi

test: vet tidy-check lint check-layers realclients
	$(GO) test -race -count=1 -timeout 12m ./...

# Each fuzz target explores for FUZZTIME (their seed corpora run in every
# `go test`, so `make test` too); what one finds is written to its
# package's testdata/fuzz/ and fails `go test` until fixed.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./internal/hostname:FuzzParseDomain ./steps:FuzzValidateDomain ./steps:FuzzOpenJournal \
	./cmd/auth0-wizard:FuzzTokenDecode ./cmd/auth0-wizard:FuzzConfigFile

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 20m ./...

golden:
	$(GO) test ./ui/... -update

fmt:
	gofmt -w $$(git ls-files '*.go')
