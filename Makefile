# Set-up is two commands on a fresh machine: `make demo` and `make test`. Both create .venv and
# install mlplat with everything it needs from PyPI (no system Node or Terraform).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/enterprise/mlplat.yaml
OUT ?= out/enterprise
STAMP := $(VENV)/.installed

.PHONY: demo test bench golden install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --quiet -e '.[cdktf,test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mlplat validate $(EXAMPLE)
	$(BIN)/mlplat synth $(EXAMPLE) --out $(OUT)
	$(BIN)/mlplat scan $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python tests/bench/run.py

# Regenerates the golden files of the synthesized examples; review the diff before committing.
golden: $(STAMP)
	$(BIN)/python tests/golden/regenerate.py

clean:
	rm -rf $(VENV) out *.egg-info
