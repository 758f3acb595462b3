# Counter Desk. `make run` and `make test` do all set-up on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CD := $(BIN)/counter-desk

# Qt (offscreen and xcb; libpulse for QtMultimedia sound), barcode decoding, USB receipt printers (libusb for
# pyusb), and python's venv module.
RUN_PACKAGES := libzbar0 libusb-1.0-0 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 \
	libxcb-image0 libpulse0 fonts-dejavu-core python3-venv
# PostgreSQL server binaries for the suite's throwaway server; poppler and Xvfb for receipt and end-to-end tests.
TEST_PACKAGES := postgresql poppler-utils xvfb xdotool

.PHONY: help install install-test system-packages test-packages run test lint typecheck layers pytest clean

help:
	@echo "make run    install what is missing, create and seed the embedded database, open the demo"
	@echo "make test   install test needs (PostgreSQL included) and run lint, types, layers and the suite"

system-packages:
	@scripts/system-packages.sh $(RUN_PACKAGES)

test-packages:
	@scripts/system-packages.sh $(TEST_PACKAGES)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Running needs only the program; the test tools (pytest, ruff, mypy, ...) come with `make test`.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: system-packages $(VENV)/.installed

install-test: install $(VENV)/.installed-test

# The demo migrates, seeds the reference office and today's sample bookings once, and opens its windows.
run: install
	$(CD) demo --simulate

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

layers: install-test
	$(BIN)/lint-imports

pytest: install-test test-packages
	$(BIN)/pytest

test: lint typecheck layers pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
