"""The TA's class view: the class report, the written-answer pages and ta.csv, the similarity hints, and
the pages as a browser shows them (headless Chromium)."""

import base64
import csv
import json
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import Assignment, Question, load_assignment
from autograder.class_report import class_summary, expected_answers, write_class_report
from autograder.grade import Options, grade_class
from autograder.graded import load_graded
from autograder.manual import merge_manual_grades, read_manual_grades
from autograder.report_json import report_from_dict, report_to_dict, student_folder
from autograder.results import Status
from autograder.score import notebook_answers
from autograder.similarity import THRESHOLD, class_code, similar_pairs

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
FAKE = Assignment(
    "fake",
    FIXTURES,
    FIXTURES / "fake.py",
    (),
    (
        Question("Q1", "double", 3, False),
        Question("Q2", "Counter", 2, False),
        Question("Q3", "written", 1, True),
    ),
)
GOOD = """
class Counter:
    def __init__(self, start):
        self.v = start
    def increment(self):
        self.v += 1
    def value(self):
        return self.v

def double(x):
    return 2 * x
"""
EVIL = "<script>eve"  # a student id that would run in a page that did not escape it
ANSWER = r"On a $h_t = \tanh(W h_{t-1} + U x_t)$ et donc **trois copies** <script>alert(1)</script>"


def answered_notebook(path: Path, answer: str) -> Path:
    """A notebook as the template lays a written question out: heading cell, then the tagged answer cell."""
    nb = nbformat.v4.new_notebook()
    heading = nbformat.v4.new_markdown_cell("### written (1 point)")
    heading.metadata.update(question="Q3", points=1, manual=True)
    cell = nbformat.v4.new_markdown_cell(answer)
    cell.metadata.update(question="Q3", tags=["answer"])
    nb.cells = [nbformat.v4.new_code_cell(GOOD), heading, cell]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A small class graded once: a notebook with a written answer, a wrong module, an empty notebook
    (unloadable), and a student whose id is markup."""
    root = tmp_path_factory.mktemp("class")
    klass = root / "submissions"
    klass.mkdir()
    answered_notebook(klass / "alice.ipynb", ANSWER)
    (klass / "bob.py").write_text("def double(x):\n    return x\n")
    nbformat.write(nbformat.v4.new_notebook(), klass / "carol.ipynb")
    (klass / f"{EVIL}.py").write_text(GOOD)
    out = root / "out"
    reports = grade_class(klass, FAKE, out, jobs=2, options=Options(tests_root=FIXTURES))
    start = time.perf_counter()
    written = write_class_report(out, reports, FAKE, submissions=klass)
    return {
        "out": out,
        "reports": reports,
        "written": written,
        "klass": klass,
        "seconds": time.perf_counter() - start,
    }


def hrefs(page: Path) -> list[str]:
    class Links(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.found += [value for name, value in attrs if name in ("href", "src") and value]

    parser = Links()
    parser.found = []
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def local_links_resolve(page: Path) -> list[str]:
    """The page's relative links (none to the network), each checked to name an existing file."""
    links = [h for h in hrefs(page) if not h.startswith(("data:", "#"))]
    assert not [h for h in links if re.match(r"[a-z]+:", h)], (
        "a page links outside the graded folder"
    )
    missing = [h for h in links if not (page.parent / h.split("#")[0]).is_file()]
    assert not missing, f"{page.name}: links to missing files {missing}"
    return links


def test_index_links_every_student_and_counts_statuses_and_means(graded):
    out, reports = graded["out"], graded["reports"]
    index = out / "index.html"
    links = local_links_resolve(index)
    for report in reports:
        assert f"{student_folder(Path(), report.student).name}/feedback.html" in links
    statuses = {r.student: r.status for r in reports}
    assert statuses == {
        "alice": Status.GRADED,
        "bob": Status.GRADED,
        "carol": Status.UNLOADABLE,
        EVIL: Status.GRADED,
    }
    summary = class_summary(reports, FAKE)
    assert dict(summary["counts"])["unloadable"] == 1 and dict(summary["counts"])["graded"] == 3
    assert [a["student"] for a in summary["attention"]] == ["carol"]
    means = {q["id"]: q["mean"] for q in summary["questions"]}
    assert means == {
        "Q1": pytest.approx((3 + 1 + 0 + 3) / 4),
        "Q2": pytest.approx((2 + 0 + 0 + 2) / 4),
        "Q3": None,
    }
    markdown = (out / "class.md").read_text()
    assert "Statuses: unloadable 1, graded 3" in markdown and "| Q1 | 1.75 | 3 | 4 |" in markdown
    assert "carol (unloadable)" in markdown and "test_double_values" in markdown
    html = index.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 4 and all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "test_double_values" in html and "manual/Q3.html" in html
    assert graded["seconds"] < 15, "the class report should take seconds"


def test_untrusted_names_and_answers_are_escaped(graded):
    out = graded["out"]
    for page in (out / "index.html", out / "manual" / "Q3.html"):
        html = page.read_text()
        assert "<script" not in html.lower(), page
        assert "&lt;script&gt;eve" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "manual" / "Q3.html").read_text()


def test_the_manual_page_shows_each_students_answer_under_the_expected_one(graded):
    page = (graded["out"] / "manual" / "Q3.html").read_text()
    local_links_resolve(graded["out"] / "manual" / "Q3.html")
    # TeX kept as written, in a span a TA can read (no MathJax, nothing loaded)
    assert r'<span class="math inline">$h_t = \tanh(W h_{t-1} + U x_t)$</span>' in page
    assert "<strong>trois copies</strong>" in page and "mathjax" not in page.lower()
    cards = re.findall(
        r'<div class="card" id="([^"]+)">(.*?)</div>\s*(?=<div class="card"|</div>)', page, re.S
    )
    states = {student: body for student, body in cards}
    assert set(states) == {"alice", "bob", "carol", "&lt;script&gt;eve"}
    assert "trois copies" in states["alice"]
    assert all("no notebook graded" in states[s] for s in ("bob", "carol", "&lt;script&gt;eve"))
    assert "Not found in the staff README" in page  # the fake assignment has no README


def test_ta_csv_round_trips_through_make_manual(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    ta = out / "manual" / "ta.csv"
    rows = list(csv.reader(ta.open(encoding="utf-8")))
    assert rows[0] == ["student", "question", "points", "comment"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["alice", "bob", "carol", EVIL])
    assert all(r[1:] == ["Q3", "", ""] for r in rows[1:])
    assert read_manual_grades(ta, load_graded(out)) == ()  # nothing graded yet: every line skipped
    filled = [rows[0]] + [
        [s, q, "0,5" if s == "alice" else p, "Bien vu." if s == "alice" else c]
        for s, q, p, c in rows[1:]
    ]
    with ta.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(filled)
    result, count = merge_manual_grades(out, ta)
    assert count == 1 and result.by_student()["alice"].questions[2].points == 0.5
    write_class_report(out, list(result.reports), FAKE)  # make manual: no class folder
    assert ta.read_text(encoding="utf-8").splitlines()[1:] != [
        ",".join(r) for r in rows[1:]
    ]  # the TA's file stays
    page = (out / "manual" / "Q3.html").read_text()
    assert (
        "0.5 / 1" in page and "Bien vu." in page and "trois copies" in page
    )  # answers survive report.json
    assert (
        "No pair above the threshold." in (out / "index.html").read_text()
    )  # similarity read back


def test_a_new_ta_csv_is_prefilled_with_the_points_entered(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    (out / "manual" / "ta.csv").unlink()
    grades = tmp_path / "grades.csv"
    grades.write_text("student,question,points,comment\nbob,Q3,1,ok\n")
    result, _ = merge_manual_grades(out, grades)
    write_class_report(out, list(result.reports), FAKE)
    lines = (out / "manual" / "ta.csv").read_text().splitlines()
    assert "bob,Q3,1,ok" in lines and "alice,Q3,," in lines
    assert len(read_manual_grades(out / "manual" / "ta.csv", load_graded(out))) == 1


def test_reports_carry_the_answers_and_older_ones_still_load(graded):
    alice = next(r for r in graded["reports"] if r.student == "alice")
    data = report_to_dict(alice)
    assert report_from_dict(data).answers == alice.answers == (("Q3", ANSWER),)
    data.pop("answers")  # a report.json written before answers were kept
    assert report_from_dict(data).answers == ()


def test_answers_are_found_by_tag_and_else_under_their_heading():
    questions = FAKE.questions
    heading = {"cell_type": "markdown", "metadata": {}, "source": "### written (1 point)"}
    answer = {"cell_type": "markdown", "metadata": {}, "source": ["Ma ", "réponse"]}
    course = {"cell_type": "markdown", "metadata": {}, "source": "Suite du cours."}
    assert notebook_answers([heading, answer, course], questions) == (("Q3", "Ma réponse"),)
    tagged = dict(answer, metadata={"tags": ["answer"], "question": "Q3"})
    assert notebook_answers([course, tagged, dict(tagged, source="suite")], questions) == (
        ("Q3", "Ma réponse\n\nsuite"),
    )
    assert notebook_answers([{"cell_type": "code", "source": "x = 1"}], questions) == ()


def test_expected_answers_come_from_the_staff_readme_and_the_reference(tmp_path):
    tp3 = expected_answers(load_assignment("tp3-rnn"))
    assert tp3["Q3b"].readme.startswith("Expected Q3b answer") and "MSE" in tp3["Q3b"].readme
    assert (
        "`Q3b`" in tp3["Q3b"].table
        and tp3["Q3b"].reference
        and "SOLUTION" not in tp3["Q3b"].reference
    )
    readme = tmp_path / "README.md"
    readme.write_text(
        "| `Q3` | written | 1 | manual |\n\n**Expected answer for Q3**: twice the input.\n\n"
        "Expected Q30 answer: not this one.\n"
    )
    found = expected_answers(FAKE, readme)
    assert found["Q3"].readme.startswith("**Expected answer for Q3**") and found[
        "Q3"
    ].table.startswith("| `Q3`")
    readme.write_text("Nothing expected here.\n")
    assert expected_answers(FAKE, readme)["Q3"].readme == ""


# --- similarity ------------------------------------------------------------------------------------------

TEMPLATE = '''
import torch

def load_series(path):
    """Given to the class: reads the CSV of the lab."""
    with open(path) as handle:
        rows = [line.strip().split(",") for line in handle]
    header, rows = rows[0], rows[1:]
    return header, [[float(value) for value in row] for row in rows]

class RNN(torch.nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        raise NotImplementedError("RNN.__init__")
'''
COPIED = """
def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        outputs = model(inputs.transpose(0, 1))
        loss = loss_fn(outputs[-1], targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item() * len(targets)
        count += len(targets)
    return total / max(count, 1)
"""
RENAMED = (
    COPIED.replace("train_epoch", "une_epoque")
    .replace("model", "reseau")
    .replace("loader", "lots")
    .replace("total", "somme")
    .replace("count", "n")
    .replace("inputs", "x")
    .replace("targets", "y")
)
OWN = """
def fit(network, data, opt, criterion, epochs=3):
    history = []
    for epoch in range(epochs):
        running = []
        for batch, labels in data:
            prediction = network(batch.permute(1, 0, 2))[-1]
            err = criterion(prediction, labels)
            opt.zero_grad(); err.backward(); opt.step()
            running.append(err.item())
        history.append(sum(running) / len(running))
        print(f"epoch {epoch}: {history[-1]:.3f}")
    return history
"""


def test_a_copied_function_with_renamed_variables_makes_a_pair_and_nothing_else_does(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ann.py").write_text(TEMPLATE + COPIED)
    (klass / "ben.py").write_text(TEMPLATE + RENAMED)
    (klass / "cid.py").write_text(TEMPLATE + OWN)
    codes = class_code(klass, "fake")
    assert set(codes) == {"ann", "ben", "cid"}
    pairs = similar_pairs(codes, TEMPLATE)
    assert [(p.first, p.second) for p in pairs] == [("ann", "ben")]
    assert (
        pairs[0].score >= THRESHOLD
        and "<mark>" in pairs[0].first_html
        and "<mark>" in pairs[0].second_html
    )
    # the template alone (twice, or beside one's own work) never makes a pair
    alone = {"dan": TEMPLATE, "eva": TEMPLATE + "\nx = 1\n", "cid": TEMPLATE + OWN}
    assert similar_pairs(alone, TEMPLATE) == []


def test_similar_pairs_are_in_the_class_report_with_a_side_by_side_page(graded, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ann.py").write_text(COPIED)
    (klass / "ben.py").write_text(RENAMED)
    (klass / "cid.py").write_text(OWN)
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    write_class_report(
        out,
        graded["reports"],
        FAKE,
        submissions={"ann": klass / "ann.py", "ben": klass / "ben.py", "cid": klass / "cid.py"},
    )
    saved = json.loads((out / "similarity.json").read_text())
    assert [(p["first"], p["second"]) for p in saved["pairs"]] == [("ann", "ben")]
    index = out / "index.html"
    assert saved["pairs"][0]["page"] in local_links_resolve(index)
    side = (out / saved["pairs"][0]["page"]).read_text()
    assert "<mark>" in side and "une_epoque" in side and "train_epoch" in side
    assert "ann ~ ben" in (out / "class.md").read_text()


@pytest.mark.slow
def test_similarity_of_a_class_of_40_takes_seconds():
    lines = (
        (Path(__file__).parent.parent / "solutions" / "tp4-lstm" / "tp4-lstm.py")
        .read_text()
        .splitlines()
    )
    codes = {}
    for i in range(
        40
    ):  # each student: other blocks of the reference, so that many pairs share code
        codes[f"s{i:02d}"] = "\n".join(line for k, line in enumerate(lines) if (k // 30 + i) % 3)
    start = time.perf_counter()
    pairs = similar_pairs(codes, "")
    seconds = time.perf_counter() - start
    assert pairs and seconds < 30, f"{len(pairs)} pairs in {seconds:.1f} s"


# --- in a browser ----------------------------------------------------------------------------------------


def chromium() -> str:
    """Debian's chromium (installed as root when missing, as .ci/run does), or skip saying why."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    found = next((shutil.which(n) for n in names if shutil.which(n)), None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=900
        )
        found = shutil.which("chromium")
    if found is None:
        pytest.skip(
            "no chromium here and it could not be installed (as root: apt-get install -y chromium)"
        )
    return found


def browse(browser: str, page: Path, tmp: Path, *action: str) -> subprocess.CompletedProcess:
    """Headless Chromium on a local page, with name resolution off: the page must need no network."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={tmp / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1200,2200",
        *action,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_pages_render_in_headless_chromium(graded, tmp_path):
    from matplotlib.image import imread

    browser = chromium()
    out = graded["out"]
    pages = {
        "index": out / "index.html",
        "feedback": out / "alice" / "feedback.html",
        "manual": out / "manual" / "Q3.html",
    }
    for name, page in pages.items():
        local_links_resolve(page)
        shot = tmp_path / f"{name}.png"
        done = browse(browser, page, tmp_path, f"--screenshot={shot}")
        assert shot.is_file() and shot.stat().st_size > 5000, (
            f"{name}: no screenshot\n{done.stderr[-2000:]}"
        )
        pixels = imread(shot)[..., :3]
        assert pixels.std() > 0.05, f"{name}: a blank screenshot"
        if name == "index":
            # the means plot's green bars (#44aa77) are on screen: the embedded PNGs were decoded and drawn
            green = (abs(pixels - [0x44 / 255, 0xAA / 255, 0x77 / 255]) < 0.03).all(axis=-1)
            assert green.sum() > 500, "the embedded plots did not load"
    dom = browse(browser, pages["manual"], tmp_path, "--dump-dom").stdout
    assert 'class="math inline"' in dom and "trois copies" in dom and "<script>" not in dom


def test_an_empty_points_cell_is_skipped_but_a_wrong_name_is_still_reported(graded, tmp_path):
    from autograder.graded import InputError

    ta = tmp_path / "ta.csv"
    ta.write_text("student,question,points,comment\nalice,Q3,,\nzoe,Q3,,\nbob,Q9,,\n")
    with pytest.raises(InputError) as error:
        read_manual_grades(ta, load_graded(graded["out"]))
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in error.value.problems] == ["3", "4"]
