# The two commands of the README. Each sets up everything it needs on a fresh Debian machine.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml installer/bootstrap.sh
	bash installer/bootstrap.sh "$(VENV)"
	touch $(STAMP)

demo: setup
	$(PY) main.py --demo $(ARGS)

test: setup
	bash installer/run-tests.sh "$(VENV)" $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
