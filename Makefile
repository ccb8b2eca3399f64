# Every target installs what it needs first, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: install system-deps run serve test lint bench lambda-package clean

install: $(STAMP) system-deps

# Reinstall only when the project definition changes: a second `make install` is a no-op.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@bash script/system-deps

run: install
	$(BIN)/heroin-help run --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/heroin-help serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest
	$(BIN)/heroin-help test-dialogs

lint: install
	$(BIN)/ruff check skill intents speech tests script
	$(BIN)/ruff format --check skill intents speech tests
	$(BIN)/mypy

bench: install
	@bash script/system-deps wrk
	$(BIN)/python -m tests.bench

lambda-package: install
	$(BIN)/python script/build_lambda.py --out dist/heroin-help-lambda.zip

clean:
	rm -rf $(VENV) .dev dist build out .pytest_cache .mypy_cache .ruff_cache
