# sqdj — two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
# Locked versions with hashes (pip-compile, Python 3.11 on Linux x86_64): runtime.txt for a server, dev.txt
# (runtime + tools + tests) for .venv. Regenerate both with `make lock` after editing the dependencies in
# pyproject.toml, and commit all three files together.
LOCKS := requirements/runtime.txt requirements/dev.txt
PIP_TOOLS := pip-tools==7.7.0
LOCK_ARGS ?=
LOCK_FLAGS := --quiet --no-config --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)

.PHONY: demo test lint bench screenshots venv lock clean

$(STAMP): pyproject.toml $(LOCKS)
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(VENV)/bin/python -m pip install --quiet --no-deps -e .
	@$(VENV)/bin/python -m pip check >/dev/null || { $(VENV)/bin/python -m pip check; \
		echo "requirements/*.txt do not satisfy pyproject.toml: run 'make lock'" >&2; exit 1; }
	@touch $(STAMP)

venv: $(STAMP)

# Re-resolve the locks from pyproject.toml in a throwaway venv (pip-tools is not a project dependency).
# Pins already in the locks are kept where still allowed; `make lock LOCK_ARGS=--upgrade` refreshes them all.
# dev.txt is constrained by runtime.txt, so both files pin the shared packages to the same versions.
lock:
	@mkdir -p requirements && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet $(PIP_TOOLS) && \
	export CUSTOM_COMPILE_COMMAND='make lock' && \
	"$$tmp/venv/bin/pip-compile" $(LOCK_FLAGS) -o requirements/runtime.txt pyproject.toml && \
	"$$tmp/venv/bin/pip-compile" $(LOCK_FLAGS) --extra dev -c requirements/runtime.txt \
		-o requirements/dev.txt pyproject.toml

# `make demo PORT=8080` serves on another port (sqdj demo says so when the default one is taken)
PORT ?= 8000
demo: $(STAMP)
	$(VENV)/bin/sqdj demo --port $(PORT)

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	SQDJ_DATA_DIR=$$(mktemp -d) $(VENV)/bin/sqdj makemigrations --check --dry-run
	SQDJ_DATA_DIR=$$(mktemp -d) $(VENV)/bin/sqdj spectacular --validate --fail-on-warn --file /dev/null

bench: $(STAMP)
	$(VENV)/bin/python bench/run.py

# docs/screenshots/ from the demo city, by the browser tests that show the key screens (Debian's Chromium)
screenshots: $(STAMP)
	SQDJ_SCREENSHOTS=1 SQDJ_REQUIRE_BROWSER=1 $(VENV)/bin/pytest tests/e2e -q -n 0

clean:
	rm -rf $(VENV) var
