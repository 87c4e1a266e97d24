"""The TA's view of a graded class: one page for the class, one per written question, and the TA's CSV.

Written beside the students' folders (``OUT/<id>/``), for staff only (English):
  index.html              statuses and who needs a look, per-question means and distributions (plots
                          embedded as PNG), the most frequent failures, time per submission, similarity
                          hints, a link to every student's feedback; self-contained, nothing loaded
  class.md                the same, for a terminal
  manual/<question>.html  every student's answer to a hand-graded question side by side, under the
                          expected answer (staff README) and the reference's
  manual/ta.csv           one line per student and question to grade by hand, for ``make manual``
  similarity.json, similarity/<a>--<b>.html   pairs of students sharing code (``similarity.py``)

Student names, answers, messages and code are untrusted: jinja2 escapes them, Markdown is rendered with
raw HTML off, and TeX stays as text in ``<span class="math">`` (no MathJax: the pages need no network).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .assignments import ROOT, Assignment, handouts
from .messages import render
from .report import _atomic, write_csv
from .report_json import student_folder
from .results import Outcome, Report, Status
from .score import notebook_answers
from .summary import staff_note

TOP_FAILURES = 5  # failure kinds listed per question
ATTENTION = (Status.GRADER_ERROR, Status.UNLOADABLE, Status.NEEDS_REVIEW, Status.INCOMPLETE)
STATUS_ORDER = (
    Status.GRADER_ERROR,
    Status.UNLOADABLE,
    Status.NEEDS_REVIEW,
    Status.INCOMPLETE,
    Status.PARTIAL,
    Status.GRADED,
)
TA_CSV = "ta.csv"
SIMILARITY_JSON = "similarity.json"
SOLUTION_MARKER = re.compile(r"^\s*#*\s*(BEGIN|END) SOLUTION\s*$")


def _tex(content: str, options: dict) -> str:
    fence = "$$" if options.get("display_mode") else "$"
    return escapeHtml(f"{fence}{content}{fence}")


# Raw HTML off and images off: an answer shows as written, and loads nothing from anywhere.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
dollarmath_plugin(MARKDOWN, renderer=_tex, allow_digits=False)


def markdown_html(text: str) -> Markup:
    """A student's Markdown as safe HTML; TeX kept readable as ``$...$`` inside ``span.math``."""
    return Markup(MARKDOWN.render(text))


@dataclass(frozen=True)
class Expected:
    """What the staff wrote about a hand-graded question."""

    readme: str  # the "Expected ... answer" paragraph of assignments/<id>/README.md, "" when none
    table: str  # the question's line in the README's questions table
    reference: str  # the reference's answer cells in the notebook source


def write_class_report(
    folder: Path,
    reports: list[Report],
    assignment: Assignment,
    submissions: Path | Mapping[str, Path] | None = None,
) -> list[Path]:
    """Write the class report, the written-answer pages and ``manual/ta.csv`` into ``folder``.

    ``submissions``, the class just graded (its folder, entries named by student id, or a mapping
    student -> entry), computes the similarity hints and saves them in ``similarity.json``; without it
    (``make manual``) the saved ones are shown again. Returns the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    reports = sorted(reports, key=lambda r: r.student)
    written = []
    pairs = _similarity(folder, assignment, submissions)
    if submissions is not None:
        written += [folder / SIMILARITY_JSON, *(folder / p["page"] for p in pairs)]
    manual = [q for q in assignment.questions if q.manual]
    pages = {q.id: f"manual/{_file_name(q.id)}.html" for q in manual}
    if manual:
        (folder / "manual").mkdir(exist_ok=True)
        expected = expected_answers(assignment)
        placeholders = dict(_template_answers(assignment))
        for q in manual:
            html = MANUAL_PAGE.render(
                question=q,
                assignment=assignment.id,
                expected=expected.get(q.id),
                cards=_cards(reports, q, placeholders.get(q.id, "")),
                style=STYLE,
                markdown=markdown_html,
            )
            _atomic(folder / pages[q.id], html)
            written.append(folder / pages[q.id])
        ta = _write_ta_csv(folder / "manual", reports, assignment)
        if ta is not None:
            written.append(ta)
    summary = class_summary(reports, assignment)
    _atomic(
        folder / "index.html",
        INDEX.render(
            s=summary, pairs=pairs, pages=pages, style=STYLE, plots=_plots(summary, reports)
        ),
    )
    _atomic(folder / "class.md", class_markdown(summary, pairs, pages))
    return [folder / "index.html", folder / "class.md", *written]


# --- what the class page says ---------------------------------------------------------------------------


def class_summary(reports: list[Report], assignment: Assignment) -> dict:
    """Counts, means, failures and times of a class, as plain data for the page and the Markdown."""
    scored = [
        r for r in reports if r.status is not Status.GRADER_ERROR
    ]  # our fault: no points to average
    counts = Counter(r.status for r in reports)
    questions = []
    for q in assignment.questions:
        points = [
            s.points
            for r in scored
            for s in r.questions
            if s.question == q.id and s.points is not None
        ]
        questions.append(
            {
                "id": q.id,
                "title": q.title,
                "max": q.points,
                "manual": q.manual,
                "points": points,
                "n": len(points),
                "mean": statistics.fmean(points) if points else None,
                "failures": _failures(reports, q.id),
            }
        )
    seconds = [r.seconds for r in reports if r.status is not Status.GRADER_ERROR]
    return {
        "assignment": assignment.id,
        "n": len(reports),
        "n_scored": len(scored),
        "counts": [(status.value, counts.get(status, 0)) for status in STATUS_ORDER],
        "attention": [
            {"student": r.student, "status": r.status.value, "note": _note(r), "link": _link(r)}
            for status in ATTENTION
            for r in reports
            if r.status is status
        ],
        "questions": questions,
        "total_max": assignment.total_points,
        "totals": [r.total for r in scored],
        "mean_total": statistics.fmean([r.total for r in scored]) if scored else None,
        "seconds": {
            "mean": statistics.fmean(seconds) if seconds else 0.0,
            "median": statistics.median(seconds) if seconds else 0.0,
            "max": max(seconds, default=0.0),
            "sum": sum(seconds),
            "slowest": [
                (r.student, r.seconds, _link(r))
                for r in sorted(reports, key=lambda r: -r.seconds)[:5]
            ],
        },
        "students": [
            {
                "student": r.student,
                "status": r.status.value,
                "total": r.total,
                "max": r.max_total,
                "points": [_cell(r, q.id) for q in assignment.questions],
                "seconds": r.seconds,
                "note": _note(r),
                "link": _link(r),
            }
            for r in reports
        ],
    }


def _failures(reports: list[Report], question: str) -> list[dict]:
    """The question's failed tests grouped by test, outcome and message kind, most frequent first; the
    text shown is the commonest rendering (values differ from student to student)."""
    groups: dict[tuple, dict] = {}
    for r in reports:
        for t in r.tests:
            if t.question != question or t.outcome in (Outcome.PASSED, Outcome.SKIPPED):
                continue
            key = (t.test, t.outcome.value, t.message.key if t.message else "")
            group = groups.setdefault(
                key,
                {"test": t.test, "outcome": t.outcome.value, "students": [], "texts": Counter()},
            )
            if r.student not in group["students"]:
                group["students"].append(r.student)
            group["texts"][render(t.message, "en") if t.message else t.outcome.value] += 1
    ranked = sorted(groups.values(), key=lambda g: (-len(g["students"]), g["test"]))[:TOP_FAILURES]
    return [
        {
            "test": g["test"],
            "outcome": g["outcome"],
            "count": len(g["students"]),
            "students": g["students"],
            "text": g["texts"].most_common(1)[0][0],
            "variants": len(g["texts"]),
        }
        for g in ranked
    ]


def _cell(report: Report, question: str) -> str:
    score = next((q for q in report.questions if q.question == question), None)
    if score is None or score.points is None:
        return (
            "review"
            if score is not None and score.review and report.status is Status.NEEDS_REVIEW
            else ""
        )
    return f"{score.points:g}"


def _note(report: Report) -> str:
    note = staff_note(report)
    if report.load.steps:
        note = "; ".join(n for n in (note, f"{len(report.load.steps)} load problem(s)") if n)
    return note


def _link(report: Report) -> str:
    """The student's feedback, relative to the class folder (the folder name is safe, quoted anyway)."""
    return quote(student_folder(Path(), report.student).as_posix()) + "/feedback.html"


def _plots(summary: dict, reports: list[Report]) -> dict[str, str]:
    """PNG plots as data: URIs: the page needs no file beside it and no network."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def png(figure) -> str:
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

    plots = {}
    questions = summary["questions"]
    if questions:
        figure = Figure(figsize=(max(4.0, 0.8 * len(questions) + 1.5), 3.0))
        axes = figure.add_subplot()
        means = [
            100 * q["mean"] / q["max"] if q["mean"] is not None and q["max"] else 0.0
            for q in questions
        ]
        bars = axes.bar(
            [q["id"] for q in questions],
            means,
            color=["#9aa" if q["manual"] else "#4a7" for q in questions],
        )
        for bar, q in zip(bars, questions):
            axes.annotate(
                f"n={q['n']}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
            )
        axes.set_ylim(0, 110)
        axes.set_ylabel("mean, % of the points")
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        plots["means"] = png(figure)
    graded = [
        q for q in questions if q["points"]
    ]  # a written answer nobody has graded yet has no distribution
    if graded:
        columns = min(4, len(graded))
        rows = -(-len(graded) // columns)
        figure = Figure(figsize=(2.6 * columns, 2.0 * rows))
        for i, q in enumerate(graded):
            axes = figure.add_subplot(rows, columns, i + 1)
            values = Counter(q["points"])
            axes.bar(
                [f"{v:g}" for v in sorted(values)],
                [values[v] for v in sorted(values)],
                color="#47a",
            )
            axes.set_title(f"{q['id']} (/{q['max']:g})", fontsize=8)
            axes.tick_params(labelsize=7)
        figure.tight_layout()
        plots["distributions"] = png(figure)
    if summary["totals"]:
        figure = Figure(figsize=(4.5, 2.6))
        axes = figure.add_subplot()
        axes.hist(
            summary["totals"], bins=min(20, max(5, len(set(summary["totals"])))), color="#47a"
        )
        axes.set_xlabel(f"total (/{summary['total_max']:g}, hand-graded points as entered)")
        axes.set_ylabel("students")
        plots["totals"] = png(figure)
    seconds = [r.seconds for r in reports if r.status is not Status.GRADER_ERROR]
    if seconds:
        figure = Figure(figsize=(4.5, 2.6))
        axes = figure.add_subplot()
        axes.hist(seconds, bins=min(20, max(5, len(seconds) // 2)), color="#a74")
        axes.set_xlabel("seconds per submission")
        axes.set_ylabel("submissions")
        plots["seconds"] = png(figure)
    return plots


def class_markdown(summary: dict, pairs: list[dict], pages: dict[str, str]) -> str:
    """The class report for a terminal."""
    lines = [
        f"# {summary['assignment']}: {summary['n']} submissions",
        "",
        "Statuses: " + ", ".join(f"{status} {n}" for status, n in summary["counts"] if n),
        "",
    ]
    if summary["attention"]:
        lines += ["## Needing a look", ""]
        lines += [
            f"- {a['student']} ({a['status']})" + (f": {a['note']}" if a["note"] else "")
            for a in summary["attention"]
        ]
        lines.append("")
    lines += ["## Questions", "", "| question | mean | max | graded |", "|---|---|---|---|"]
    for q in summary["questions"]:
        mean = "—" if q["mean"] is None else f"{q['mean']:.2f}"
        lines.append(
            f"| {q['id']}{' (by hand)' if q['manual'] else ''} | {mean} | {q['max']:g} | {q['n']} |"
        )
    if summary["mean_total"] is not None:
        lines += [
            "",
            f"Mean total: {summary['mean_total']:.2f} / {summary['total_max']:g} "
            f"(over {summary['n_scored']} submissions; grader errors left out)",
        ]
    lines.append("")
    failing = [q for q in summary["questions"] if q["failures"]]
    if failing:
        lines += ["## Most frequent failures", ""]
        for q in failing:
            lines.append(f"### {q['id']}")
            for f in q["failures"]:
                lines.append(
                    f"- {f['count']}× `{f['test']}` ({f['outcome']}): {f['text']}"
                    + (f" [{f['variants']} variants]" if f["variants"] > 1 else "")
                    + f" — {', '.join(f['students'])}"
                )
            lines.append("")
    t = summary["seconds"]
    lines += [
        "## Time",
        "",
        f"Per submission: mean {t['mean']:.1f} s, median {t['median']:.1f} s, max "
        f"{t['max']:.1f} s; total {t['sum']:.0f} s. Slowest: "
        + ", ".join(f"{s} ({sec:.1f} s)" for s, sec, _ in t["slowest"]),
        "",
    ]
    lines += ["## Similarity hints", ""]
    if pairs:
        lines += [
            f"- {p['first']} ~ {p['second']}: {100 * p['shares'][0]:.0f}% / {100 * p['shares'][1]:.0f}% "
            f"({p['page']})"
            for p in pairs
        ]
    else:
        lines.append("No pair above the threshold." if pairs is not None else "Not computed.")
    lines.append("")
    if pages:
        lines += (
            ["## Written answers", ""]
            + [f"- {q}: {page}" for q, page in pages.items()]
            + [
                f"- to grade: fill manual/{TA_CSV}, then `make manual OUT=... GRADES=.../manual/{TA_CSV}`",
                "",
            ]
        )
    return "\n".join(lines)


# --- written answers ---------------------------------------------------------------------------------------


def _cards(reports: list[Report], question, placeholder: str) -> list[dict]:
    cards = []
    for r in reports:
        score = next((s for s in r.questions if s.question == question.id), None)
        answer = dict(r.answers).get(question.id)
        if answer is None:
            state = "no notebook graded" if not r.submission.notebook else "no answer cell found"
        elif not answer.strip() or (placeholder and answer.strip() == placeholder.strip()):
            state = "not answered (the template's placeholder)"
        else:
            state = ""
        cards.append(
            {
                "student": r.student,
                "status": r.status.value,
                "link": "../" + _link(r),
                "answer": answer or "",
                "state": state,
                "points": None if score is None or score.points is None else f"{score.points:g}",
                "comment": score.comment if score else "",
            }
        )
    return cards


def expected_answers(assignment: Assignment, readme: Path | None = None) -> dict[str, Expected]:
    """For each hand-graded question: the staff README's "Expected ... answer" paragraph naming it, its
    line in the README's questions table, and the reference's answer cells."""
    readme = readme if readme is not None else ROOT / "assignments" / assignment.id / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        text = ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    reference = dict(_reference_answers(assignment))
    found = {}
    for q in assignment.questions:
        if not q.manual:
            continue
        named = re.compile(rf"(?<![\w-]){re.escape(q.id)}(?![\w-])")
        said = ""
        for paragraph in paragraphs:
            head = re.sub(r"^[\s>*_#-]+", "", paragraph.split("\n", 1)[0])
            first_words = head[:120]
            if (
                re.match(r"expected\b", head, re.IGNORECASE)
                and re.search(r"\banswers?\b", first_words, re.IGNORECASE)
                and named.search(first_words)
            ):
                said = paragraph
                break
        table = next(
            (
                line.strip()
                for line in text.splitlines()
                if line.lstrip().startswith("|")
                and named.search(line.split("|")[1] if line.count("|") > 1 else "")
            ),
            "",
        )
        found[q.id] = Expected(said, table, reference.get(q.id, ""))
    return found


def _reference_answers(assignment: Assignment) -> tuple[tuple[str, str], ...]:
    """The reference's written answers (solution regions of the notebook source), markers removed."""
    try:
        if assignment.notebook.suffix == ".py":
            import jupytext

            cells = jupytext.read(assignment.notebook, fmt="py:percent").cells
        else:
            cells = json.loads(assignment.notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ()
    answers = notebook_answers(cells, assignment.questions)
    return tuple(
        (
            q,
            "\n".join(
                line for line in text.splitlines() if not SOLUTION_MARKER.match(line)
            ).strip(),
        )
        for q, text in answers
    )


def _template_answers(assignment: Assignment) -> tuple[tuple[str, str], ...]:
    """The handed-out answer cells (the placeholder a student left when not answering)."""
    path = handouts(assignment.id) / f"{assignment.id}.ipynb"
    try:
        return notebook_answers(
            json.loads(path.read_text(encoding="utf-8"))["cells"], assignment.questions
        )
    except (OSError, ValueError, KeyError):
        return ()


def ta_rows(reports: list[Report], assignment: Assignment) -> list[tuple[str, str, str, str]]:
    """One line per student and hand-graded question (and question held for review), with the points
    and comment entered so far: an empty points cell is "not graded yet" for ``make manual``."""
    manual = [q.id for q in assignment.questions if q.manual]
    rows = []
    for r in sorted(reports, key=lambda r: r.student):
        if r.status is Status.GRADER_ERROR:
            continue  # our fault: regrade first
        held = [
            s.question
            for s in r.questions
            if s.review and not s.manual and r.status is Status.NEEDS_REVIEW
        ]
        scores = {s.question: s for s in r.questions}
        for question in manual + held:
            score = scores.get(question)
            points = (
                ""
                if score is None or score.points is None or question in held
                else f"{score.points:g}"
            )
            rows.append((r.student, question, points, score.comment if score else ""))
    return rows


def _write_ta_csv(folder: Path, reports: list[Report], assignment: Assignment) -> Path | None:
    """``ta.csv``, unless a TA edited the one written before (kept; their work is never overwritten)."""
    from .manual import COLUMNS

    path, stamp = folder / TA_CSV, folder / f".{TA_CSV}.sha256"
    if path.exists():
        ours = stamp.read_text().strip() if stamp.exists() else ""
        if hashlib.sha256(path.read_bytes()).hexdigest() != ours:
            return None
    write_csv(path, COLUMNS, ta_rows(reports, assignment))
    _atomic(stamp, hashlib.sha256(path.read_bytes()).hexdigest() + "\n")
    return path


# --- similarity hints ------------------------------------------------------------------------------------


def _similarity(folder: Path, assignment: Assignment, submissions) -> list[dict] | None:
    """The pairs to show: computed from ``submissions`` (and saved), or read back; None: never computed."""
    saved = folder / SIMILARITY_JSON
    if submissions is None:
        try:
            return json.loads(saved.read_text(encoding="utf-8"))["pairs"]
        except (OSError, ValueError, KeyError):
            return None
    from . import similarity

    found = similarity.similar_pairs(
        similarity.class_code(submissions, assignment.id), similarity.template_code(assignment.id)
    )
    (folder / "similarity").mkdir(exist_ok=True)
    for old in (folder / "similarity").glob("*.html"):
        old.unlink()
    pairs = []
    for pair in found:
        page = f"similarity/{_file_name(pair.first)}--{_file_name(pair.second)}.html"
        _atomic(
            folder / page,
            PAIR_PAGE.render(
                pair=pair,
                style=STYLE,
                left=Markup(pair.first_html),
                right=Markup(pair.second_html),
                threshold=similarity.THRESHOLD,
            ),
        )
        pairs.append(
            {
                "first": pair.first,
                "second": pair.second,
                "shares": list(pair.shares),
                "shared": pair.shared,
                "page": page,
            }
        )
    _atomic(
        saved,
        json.dumps(
            {"threshold": similarity.THRESHOLD, "pairs": pairs}, indent=1, ensure_ascii=False
        ),
    )
    return pairs


def _file_name(name: str) -> str:
    return student_folder(Path(), name).name


# --- pages -------------------------------------------------------------------------------------------------

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.4;max-width:90rem}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
    "vertical-align:top}th{background:#f2f2f2}.num{text-align:right}img{max-width:100%}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(24rem,1fr));gap:1rem}"
    ".card{border:1px solid #ccc;border-radius:6px;padding:.6rem .9rem;overflow-wrap:anywhere}"
    ".card h3{margin:.1rem 0 .4rem;font-size:1rem}.state{color:#a40}.muted{color:#666}"
    ".math{font-family:ui-monospace,monospace;background:#f5f5ff}"
    ".expected{background:#f6fbf6;border:1px solid #bdb;padding:.5rem 1rem;border-radius:6px}"
    ".side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}"
    "pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;font-size:.8rem}mark{background:#fd6}"
    ".status-grader_error,.status-unloadable{color:#b00}.status-needs_review{color:#06a}"
    ".status-incomplete{color:#b60}"
)

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

INDEX = _ENV.from_string("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ s.assignment }}: class report</title><style>{{ style }}</style></head><body>
<h1>{{ s.assignment }}: {{ s.n }} submissions</h1>
<h2>Statuses</h2>
<table><tr>{% for status, n in s.counts %}<th class="status-{{ status }}">{{ status }}</th>{% endfor %}</tr>
<tr>{% for status, n in s.counts %}<td class="num">{{ n }}</td>{% endfor %}</tr></table>
{% if s.attention %}<h3>Needing a look ({{ s.attention|length }})</h3>
<table id="attention"><tr><th>student</th><th>status</th><th>note</th></tr>
{% for a in s.attention %}<tr><td><a href="{{ a.link }}">{{ a.student }}</a></td>
<td class="status-{{ a.status }}">{{ a.status }}</td><td>{{ a.note }}</td></tr>{% endfor %}</table>
{% else %}<p>Nothing needs a look.</p>{% endif %}
<h2>Questions</h2>
<table id="questions"><tr><th>question</th><th>mean</th><th>max</th><th>graded</th></tr>
{% for q in s.questions %}<tr><td>{{ q.id }} — {{ q.title }}{% if q.manual %} <em>(by hand{% if pages[q.id] %}:
<a href="{{ pages[q.id] }}">answers</a>{% endif %})</em>{% endif %}</td>
<td class="num">{% if q.mean is none %}—{% else %}{{ "%.2f"|format(q.mean) }}{% endif %}</td>
<td class="num">{{ "%g"|format(q.max) }}</td><td class="num">{{ q.n }}</td></tr>{% endfor %}
</table>
{% if s.mean_total is not none %}<p>Mean total: {{ "%.2f"|format(s.mean_total) }} / {{ "%g"|format(s.total_max) }}
(over {{ s.n_scored }} submissions; grader errors left out; hand-graded points as entered so far).</p>{% endif %}
{% for name in ("means", "distributions", "totals") %}{% if plots.get(name) %}
<p><img alt="{{ name }}" src="{{ plots[name] }}"></p>{% endif %}{% endfor %}
<h2>Most frequent failures</h2>
{% for q in s.questions if q.failures %}<h3>{{ q.id }}</h3>
<table><tr><th>students</th><th>test</th><th>outcome</th><th>message (commonest form)</th><th>who</th></tr>
{% for f in q.failures %}<tr><td class="num">{{ f.count }}</td><td><code>{{ f.test }}</code></td><td>{{ f.outcome }}</td>
<td>{{ f.text }}{% if f.variants > 1 %} <span class="muted">({{ f.variants }} variants)</span>{% endif %}</td>
<td>{{ f.students|join(", ") }}</td></tr>{% endfor %}</table>
{% else %}<p>No failed test.</p>{% endfor %}
<h2>Time per submission</h2>
<p>Mean {{ "%.1f"|format(s.seconds.mean) }} s, median {{ "%.1f"|format(s.seconds.median) }} s,
max {{ "%.1f"|format(s.seconds.max) }} s; total {{ "%.0f"|format(s.seconds.sum) }} s. Slowest:
{% for student, sec, link in s.seconds.slowest %}<a href="{{ link }}">{{ student }}</a> ({{ "%.1f"|format(sec) }} s){% if not loop.last %}, {% endif %}{% endfor %}.</p>
{% if plots.get("seconds") %}<p><img alt="seconds" src="{{ plots.seconds }}"></p>{% endif %}
<h2>Similarity hints</h2>
<p class="muted">Pairs whose own code (the template's removed) shares long passages, names and strings aside.
A hint for review, never a grade.</p>
{% if pairs is none %}<p>Not computed (the class folder was not given).</p>
{% elif not pairs %}<p>No pair above the threshold.</p>
{% else %}<table id="similarity"><tr><th>students</th><th>share of each one's code</th><th>shared</th><th>view</th></tr>
{% for p in pairs %}<tr><td>{{ p.first }} ~ {{ p.second }}</td>
<td class="num">{{ "%.0f"|format(100 * p.shares[0]) }}% / {{ "%.0f"|format(100 * p.shares[1]) }}%</td>
<td class="num">{{ p.shared }}</td><td><a href="{{ p.page }}">side by side</a></td></tr>{% endfor %}</table>{% endif %}
<h2>Students</h2>
<table id="students"><tr><th>student</th><th>status</th><th>total</th>{% for q in s.questions %}<th>{{ q.id }}</th>{% endfor %}
<th>s</th><th>note</th></tr>
{% for r in s.students %}<tr><td><a href="{{ r.link }}">{{ r.student }}</a></td><td class="status-{{ r.status }}">{{ r.status }}</td>
<td class="num">{{ "%g"|format(r.total) }}</td>{% for p in r.points %}<td class="num">{{ p }}</td>{% endfor %}
<td class="num">{{ "%.1f"|format(r.seconds) }}</td><td>{{ r.note }}</td></tr>{% endfor %}</table>
</body></html>
""")

MANUAL_PAGE = _ENV.from_string("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ assignment }} {{ question.id }}: written answers</title><style>{{ style }}</style></head><body>
<p><a href="../index.html">class report</a></p>
<h1>{{ assignment }} — {{ question.id }}: {{ question.title }}</h1>
<div class="expected"><h2>Expected answer</h2>
{% if expected and expected.readme %}{{ markdown(expected.readme) }}{% else %}<p class="state">Not found in the staff README
(no "Expected {{ question.id }} answer" paragraph).</p>{% endif %}
{% if expected and expected.table %}<p class="muted">Questions table: {{ expected.table }}</p>{% endif %}
{% if expected and expected.reference %}<h3>Reference answer (notebook source)</h3>{{ markdown(expected.reference) }}{% endif %}
</div>
<h2>Answers ({{ cards|length }})</h2>
<p class="muted">Points go in <code>ta.csv</code> beside this page (empty points: not graded yet), then
<code>make manual OUT=... GRADES=.../manual/ta.csv</code>.</p>
<div class="cards">{% for c in cards %}<div class="card" id="{{ c.student }}">
<h3><a href="{{ c.link }}">{{ c.student }}</a> <span class="muted status-{{ c.status }}">{{ c.status }}</span>
{% if c.points is not none %}<span> — {{ c.points }} / {{ "%g"|format(question.points) }}</span>{% endif %}</h3>
{% if c.state %}<p class="state">{{ c.state }}</p>{% endif %}
{% if c.answer %}<div class="answer">{{ markdown(c.answer) }}</div>{% endif %}
{% if c.comment %}<p class="muted">TA: {{ c.comment }}</p>{% endif %}
</div>{% endfor %}</div>
</body></html>
""")

PAIR_PAGE = _ENV.from_string("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ pair.first }} ~ {{ pair.second }}</title><style>{{ style }}</style></head><body>
<p><a href="../index.html">class report</a></p>
<h1>{{ pair.first }} ~ {{ pair.second }}</h1>
<p>Shared passages are marked; names and strings are ignored in the comparison, the template's code is left out.
{{ "%.0f"|format(100 * pair.shares[0]) }}% of {{ pair.first }}'s own code is found in {{ pair.second }}'s,
{{ "%.0f"|format(100 * pair.shares[1]) }}% the other way (listed from {{ "%.0f"|format(100 * threshold) }}%).
A hint for review, never a grade.</p>
<div class="side"><div><h2>{{ pair.first }}</h2><pre>{{ left }}</pre></div>
<div><h2>{{ pair.second }}</h2><pre>{{ right }}</pre></div></div>
</body></html>
""")
