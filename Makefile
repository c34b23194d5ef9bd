# auth0-wizard: `make run` (the wizard; the built-in sandbox tenant when AUTH0_DOMAIN is unset)
# and `make test` (everything CI proves).
GO      ?= go
BIN     := bin/auth0-wizard
PKG     := ./cmd/auth0-wizard

# golangci-lint, pinned, built into bin/tools (gitignored) and kept out of go.mod.
GOLANGCI_LINT_VERSION := v2.15.0
TOOLS   := $(CURDIR)/bin/tools
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: run build test vet tools lint tidy-check check-layers bench fmt golden fuzz

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

test: vet tidy-check lint check-layers
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
