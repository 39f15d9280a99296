# The two commands a newcomer needs:   make lab    and    make test
# Everything else is a step of those two, usable on its own.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# make lab ARGS="--no-browser --port 8890"     make test PYTEST_ARGS="-k data -x"
ARGS        ?=
PYTEST_ARGS ?=

.PHONY: setup install data release lab test check clean

# An isolated environment made with python3 -m venv, reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

data: install
	$(PY) -m course_utils.data build

# Student versions of every notebook into build/, then copied into student/ without
# ever overwriting a notebook that is already there.
release: data
	$(PY) -m autograder release

setup: release

lab: setup
	$(PY) -m autograder lab $(ARGS)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# A student checks a whole notebook with its visible checks:  make check NB=student/1_neural_networks/01_numpy_basics.ipynb
check: install
	$(PY) -m autograder check $(NB)

# Removes generated files only; student/ (your work) is never touched by make.
clean:
	rm -rf build .pytest_cache data/*.h5
