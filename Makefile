# orgledger tasks. `make run` and `make test` are the two set-up commands in the README: each creates
# .venv/ (with the package installed editable) when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test parse clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "orgledger needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: the main job on the bundled samples (config/samples -> data/orgledger.duckdb)
run: $(STAMP)
	$(BIN)/orgledger run

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## parse: show what would be extracted from the bundled samples
parse: $(STAMP)
	$(BIN)/orgledger parse config/samples

clean:
	rm -rf $(VENV) data .pytest_cache
