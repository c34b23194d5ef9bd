# auth0-wizard: `make run` (the wizard; the built-in sandbox tenant when AUTH0_DOMAIN is unset)
# and `make test` (everything CI proves).
GO      ?= go
BIN     := bin/auth0-wizard
PKG     := ./cmd/auth0-wizard

.PHONY: run build test vet check-layers bench fmt golden

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

# steps/ and auth0client/ must never pull in the UI.
check-layers:
	@if $(GO) list -deps ./steps/... ./auth0client/... | grep -q '^charm.land/'; then \
		echo "check-layers: steps/ or auth0client/ imports charm.land/"; exit 1; fi
	@if $(GO) list -deps ./steps/... | grep -q 'github.com/auth0/go-auth0'; then \
		echo "check-layers: steps/ imports go-auth0 (only auth0client/ may)"; exit 1; fi
	@echo "check-layers: ok"

test: vet check-layers
	$(GO) test -race -count=1 -timeout 12m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 20m ./...

golden:
	$(GO) test ./ui/... -update

fmt:
	gofmt -w $$(git ls-files '*.go')
