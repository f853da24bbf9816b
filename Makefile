# Joules & Jevons. `make lab` opens the course; `make test` runs every test.
# Both create the virtual environment .venv on first use (Python 3.11+, pip; no conda needed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test bench lint format notebooks clean book calculators

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m helpers.live   # bundle Vega for the explorers' chart widget once (offline)
	touch $(STAMP)

# Kernel messages reach the browser without Nagle's delay (helpers/server.py).
NODELAY := --ServerApp.kernel_websocket_connection_class=helpers.server.NoDelayConnection

## Open the course in JupyterLab on 127.0.0.1 (token authentication), at the first notebook.
PORT  ?= 8888
TOKEN := $(shell $(PYTHON) -c "import secrets; print(secrets.token_hex(24))")
lab: $(STAMP)
	@echo "Open the course at: http://127.0.0.1:$(PORT)/lab/tree/notebooks/00_start_here.ipynb?token=$(TOKEN)"
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) --ServerApp.port_retries=0 \
		--IdentityProvider.token=$(TOKEN) $(ROOT_FLAG) $(NODELAY) notebooks/00_start_here.ipynb

## Unit, property, data, notebook (nbval) and browser tests.
test: $(STAMP)
	$(BIN)/python -m pytest

## Performance figures (ratios measured in one run).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-execute every notebook in place and strip volatile metadata (then commit the outputs).
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

## The static book: one HTML page per chapter + index.html in build/book/, readable offline.
book: $(STAMP)
	$(BIN)/python tools/build_book.py build/book
	@echo "Open build/book/index.html in a browser."

## Calculator mode: the explorers alone, no code (Voila on 127.0.0.1:$(CALC_PORT), no token).
CALC_PORT ?= 8866
calculators: $(STAMP)
	$(BIN)/python tools/calculators.py $(CALC_PORT)

clean:
	rm -rf $(VENV)
