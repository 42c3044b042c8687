# digitpad: `make run` opens the app, `make test` runs the whole suite. Both create .venv first,
# with everything installed (`.[all,test]`). Another Python: `make test PYTHON=python3.13`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SOURCES := digitpad trainers tests benchmarks packaging scripts setup.py
VENV_CPU := .venv-cpu
CPU_STAMP := $(VENV_CPU)/.installed

.PHONY: run test lint wheel-check bench soak exe exe-cpu exe-test dist models screenshots clean

# Re-install only when the project's requirements change: a second `make` costs nothing.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all,test]"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m digitpad

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(MAKE) --no-print-directory lint wheel-check

lint: $(STAMP)
	$(VENV)/bin/ruff check $(SOURCES)
	$(VENV)/bin/ruff format --check $(SOURCES)
	$(VENV)/bin/lint-imports

# The built wheel installed into a fresh environment and used from outside the clone.
wheel-check: $(STAMP)
	$(PY) scripts/wheel_check.py

models: $(STAMP)
	bash scripts/train_bundled.sh

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py

soak: $(STAMP)
	$(PY) scripts/soak.py --minutes 10

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py

exe: $(STAMP)
	$(PY) -m pip install --quiet -e ".[exe]"
	PYTHONPATH=packaging/buildenv $(PY) -m PyInstaller --noconfirm --clean packaging/digitpad.spec
	cp packaging/linux/digitpad.desktop.in packaging/linux/install-desktop-entry.sh \
	   assets/icons/digitpad.png dist/digitpad/

# The CPU build: the same program from a venv of its own with PyTorch's CPU-only wheel (no CUDA
# libraries, no triton), into dist/digitpad-cpu/.
$(CPU_STAMP): pyproject.toml packaging/requirements-cpu.txt
	@test -x $(VENV_CPU)/bin/python || $(PYTHON) -m venv $(VENV_CPU)
	$(VENV_CPU)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_CPU)/bin/python -m pip install --quiet -r packaging/requirements-cpu.txt
	$(VENV_CPU)/bin/python -m pip install --quiet --no-deps -e .
	@touch $(CPU_STAMP)

exe-cpu: $(CPU_STAMP)
	DIGITPAD_BUILD=cpu PYTHONPATH=packaging/buildenv $(VENV_CPU)/bin/python -m PyInstaller \
	    --noconfirm --clean --workpath build/cpu packaging/digitpad.spec
	cp packaging/linux/digitpad.desktop.in packaging/linux/install-desktop-entry.sh \
	   assets/icons/digitpad.png dist/digitpad-cpu/

# Each built folder as one compressed archive to hand out (zstd, multi-threaded), with its size.
dist:
	@test -d dist/digitpad -o -d dist/digitpad-cpu || { echo "build first: make exe-cpu (or exe)"; exit 1; }
	@for build in digitpad-cpu digitpad; do \
	  if [ -d dist/$$build ]; then \
	    tar -C dist -cf - $$build | zstd -q -T0 -12 --long=27 -f -o dist/$$build-linux-x86_64.tar.zst; \
	    du -h dist/$$build-linux-x86_64.tar.zst; \
	  fi; \
	done

exe-test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m exe -o addopts=""

clean:
	rm -rf build dist .pytest_cache
