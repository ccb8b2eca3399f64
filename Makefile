# Every target installs what it needs first, so a fresh clone needs only `make run` or `make test`.
# The work is done by the commands in script/; these targets only name them.
HOST ?= 127.0.0.1
PORT ?= 8080
WEB_PORT ?= 8081

.PHONY: install run serve test fuzz lint bench bench-voice lambda-package clean

install:
	@bash script/setup

run: install
	.venv/bin/heroin-help run --host $(HOST) --port $(PORT) --web-port $(WEB_PORT)

serve: install
	.venv/bin/heroin-help serve --host $(HOST) --port $(PORT)

test: install
	@bash script/test

fuzz: install
	@bash script/fuzz

lint: install
	@bash script/lint

bench: install
	@bash script/bench

bench-voice: install
	@bash script/bench-voice

lambda-package: install
	.venv/bin/python script/build-lambda --out dist/heroin-help-lambda.zip

clean:
	rm -rf .venv .dev dist build out .bench .pytest_cache .mypy_cache .ruff_cache
