# The two set-up commands of the README: `make demo` and `make test`. Both install into .venv/ first
# (once: a stamp records what was installed, so a second run skips straight to the work).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat settings.ini constraints.txt setup.py | cksum | cut -d' ' -f1)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export PYTHONUNBUFFERED := 1

.PHONY: install demo test docs export clean-docs

install: $(STAMP)

$(STAMP): settings.ini constraints.txt setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt "torch==2.13.0" -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

demo: install
	$(BIN)/rat demo $(ARGS)

test: install
	$(BIN)/python tools/run_tests.py $(ARGS)

# the docs site (MkDocs + Material, offline) in _docs/, checked; open _docs/index.html in a browser
docs: install
	$(BIN)/python tools/build_docs.py

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python tools/build_readme.py
