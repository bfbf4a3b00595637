# wirefeed — everything a user or CI needs, from a fresh clone.
#   make run    set up, start (or use $KAFKA_BOOTSTRAP) a broker, run a worker on the sample feed, show the result
#   make test   set up and run the whole suite against a real local broker
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WIREFEED := $(VENV)/bin/wirefeed
KAFKA := deploy/kafka/kafka.sh
export WIREFEED_WEB_PORT ?= 6066
export WIREFEED_DATA_DIR ?= var/wirefeed

.PHONY: run test test-faults bench lint setup kafka stop clean help

help:
	@sed -n '1,4p' Makefile

NATIVE_SRC := native/Cargo.toml native/Cargo.lock native/pyproject.toml $(wildcard native/src/*.rs)

# the tagger's compiled fast path (native/, needs cargo; PyO3 and maturin come from crates.io and PyPI)
$(VENV)/.installed: pyproject.toml $(NATIVE_SRC)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --force-reinstall --no-deps ./native
	@touch $@

setup: $(VENV)/.installed kafka

kafka:
	@$(KAFKA) build

run: setup
	@mkdir -p var
	@export KAFKA_BOOTSTRAP=$$($(KAFKA) ensure) && echo "Kafka at $$KAFKA_BOOTSTRAP" && $(PY) -m streams.demo

test: setup
	@bash deploy/system-deps.sh
	$(VENV)/bin/ruff check streams tests bench scripts
	WIREFEED_REQUIRE_NATIVE=1 $(VENV)/bin/pytest -q -m "not faults" -p no:cacheprovider

test-faults: setup
	@bash deploy/system-deps.sh
	$(VENV)/bin/pytest -q -m faults -p no:cacheprovider

bench: setup
	$(PY) -m bench.run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check streams tests bench scripts

stop:
	-@test -f var/worker.pid && kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid
	-@$(KAFKA) stop

clean: stop
	rm -rf var .kafka
