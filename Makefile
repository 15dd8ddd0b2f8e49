# Afterhours — `make run` to see it work on the bundled example, `make test` to test it.
SHELL := /bin/bash
SWIFT ?= swift
# System libraries the build links against; installed with apt-get when missing.
# libcurl4-openssl-dev: headers for the webhook shim (libcurl itself is loaded only when a webhook is sent).
APT_PACKAGES := libsndfile1-dev libsqlite3-dev libespeak-ng-dev libcurl4-openssl-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO := var/demo
DEMO_NOW := 2026-11-23T08:05:00-05:00
CALLBACKS := CALLBACKS_CONFIG=$(DEMO)/callbacks.yaml CALLBACKS_NOW=$(DEMO_NOW) .build/debug/callbacks

.PHONY: deps build run test bench clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# The service on a fresh copy of the example spool (fixtures/spool): `callbacks serve`
# watches the spool and turns each voicemail into a callback; then staff see the queue
# as on Monday morning at 08:05 New York time.
run: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)/spool && cp fixtures/demo.yaml $(DEMO)/callbacks.yaml
	@echo "\$$ callbacks serve   (in the background; log in $(DEMO)/serve.log)"
	@CALLBACKS_CONFIG=$(DEMO)/callbacks.yaml .build/debug/callbacks serve 2> $(DEMO)/serve.log & echo $$! > $(DEMO)/serve.pid
	@sleep 1 && cp -Rp fixtures/spool/. $(DEMO)/spool/ && echo "(the PBX drops six voicemails into $(DEMO)/spool)" && sleep 3
	@kill -TERM $$(cat $(DEMO)/serve.pid) && sleep 1 && cat $(DEMO)/serve.log
	@echo && echo "\$$ callbacks list" && $(CALLBACKS) list
	@echo && echo "\$$ callbacks next --as alice" && $(CALLBACKS) next --as alice
	@echo && echo "\$$ callbacks next --as bob --json" && $(CALLBACKS) next --as bob --json
	@echo && echo "(The demo lives in $(DEMO); run more commands with: export CALLBACKS_CONFIG=$(DEMO)/callbacks.yaml CALLBACKS_NOW=$(DEMO_NOW))"

test: deps
	$(SWIFT) test

bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --product callbacks
	$(SWIFT) build -c release --static-swift-stdlib --product callbacks-bench
	.build/release/callbacks-bench
	@echo "(peak memory at 20,000 messages, in a process of its own: compare with the 1,000 above)"
	.build/release/callbacks-bench ingest 20000

clean:
	rm -rf .build var
