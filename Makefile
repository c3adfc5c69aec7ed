# Live Help — developer commands. `make dev` runs the whole system locally;
# `make test` runs every test. See README.md.

GO       ?= go
FUNCTIONS = status chat offline sweep mailer console
LAMBDA_FLAGS = -tags lambda.norpc -trimpath -ldflags="-s -w -buildid="

FUZZTIME ?= 2s

.PHONY: dev test lint build bench e2e fuzz clean

## dev: build every function, start the local stack (DynamoDB Local, REST and
## WebSocket APIs, schedules, mail capture), seed the demo site and operator.
dev:
	$(GO) build -o bin/devstack ./infra/devstack
	exec ./bin/devstack $(ARGS)

## test: vet, every test (DynamoDB Local, local runner, headless Chromium,
## fault injection, security), then every fuzz target for FUZZTIME each.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) run ./infra/security/fuzzall -fuzztime $(FUZZTIME)

## fuzz: every fuzz target for FUZZTIME each (make fuzz FUZZTIME=1m).
fuzz:
	$(GO) run ./infra/security/fuzzall -fuzztime $(FUZZTIME)

## lint: formatting, vet, tidy and the SAM template.
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	cfn-lint template.yaml

## build: the Lambda artifacts as SAM deploys them (linux/arm64, stripped).
build:
	@for fn in $(FUNCTIONS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) -o bin/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done
	@ls -l bin/*/bootstrap

## bench: the budget figures (README, "Measured figures"), measured on the local runner.
bench:
	$(GO) run ./infra/bench

## e2e: the end-to-end suite against another target (see localstack/README.md).
e2e:
	$(GO) test -count=1 -v ./localstack/e2e/...

clean:
	rm -rf bin .aws-sam
