# Joules & Jevons. `make lab` opens the course; `make test` runs every test.
# Every target runs `python -m helpers ...` (helpers/__main__.py), which works without make too,
# on any OS. The first run creates the virtual environment .venv (Python 3.11+, pip; no conda).

PYTHON ?= python3
RUN    := $(PYTHON) -m helpers

.PHONY: lab test bench lint format notebooks clean book calculators

## Open the course in JupyterLab on 127.0.0.1 (token authentication), at the first notebook.
PORT ?= 8888
lab:
	$(RUN) lab --port $(PORT)

## Unit, property, data, notebook (nbval) and browser tests.
test:
	$(RUN) test

## Performance figures (ratios measured in one run).
bench:
	$(RUN) bench

lint:
	$(RUN) lint

format:
	$(RUN) format

## Re-execute every notebook in place and strip volatile metadata (then commit the outputs).
notebooks:
	$(RUN) notebooks

## The static book: one HTML page per chapter + index.html in build/book/, readable offline.
book:
	$(RUN) book build/book
	@echo "Open build/book/index.html in a browser."

## Calculator mode: the explorers alone, no code (Voila on 127.0.0.1:$(CALC_PORT), no token).
CALC_PORT ?= 8866
calculators:
	$(RUN) calculators --port $(CALC_PORT)

clean:
	rm -rf .venv
