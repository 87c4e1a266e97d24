"""The checking process behind the notebook's ``check()`` and ``submit()`` (``python -m rnnkit serve``).

One JSON request per line on stdin, one JSON reply per line on stdout; everything else it prints
goes to stderr (the kernel's log file). It imports torch and the grading stages once and keeps the
fork server warm, so a check after the first costs the student's code and the tests, well under
a second and a half on a two-core machine. Each check grades the files as saved, in a new worker.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
from pathlib import Path

from .checking import assignment_of, rendu_zip


def serve() -> int:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a library printing on stdout must not write into the reply channel
    sys.stdout = sys.stderr
    threading.Thread(target=_import_kit, daemon=True).start()
    _start_fork_server()
    for line in sys.stdin:
        try:
            reply = handle(json.loads(line))
        except Exception:  # noqa: BLE001  (the kit's own fault: said as such, the process goes on)
            reply = {
                "fault": "erreur du kit de correction, pas de votre code / grading kit error, not your code:\n"
                + traceback.format_exc(limit=8)
            }
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


def handle(request: dict) -> dict:
    notebook = Path(request["notebook"])
    language = request.get("language", "fr")
    if request.get("op") == "submit":
        return _submit(notebook, language)
    questions = tuple(request["questions"]) if request.get("questions") else None
    report = check_report(notebook, questions, language)
    return _reply(report, language)


def check_report(notebook: Path, questions: tuple[str, ...] | None, language: str = "fr"):
    """The public tests of ``questions`` on ``notebook`` as saved, with the modules of its folder."""
    from .assignments import load_assignment
    from .grade import Options, grade

    tests_root = Path(__file__).resolve().parent / "public_tests"  # in a student folder
    options = Options(
        visibility=("public",),
        questions=questions,
        language=language,
        **({"tests_root": tests_root} if tests_root.is_dir() else {}),
    )
    return grade(
        notebook.parent, load_assignment(assignment_of(notebook)), options, notebook=notebook.name
    )


def _reply(report, language: str, extra: str = "") -> dict:
    from .feedback import MARKDOWN, check_markdown
    from .results import Outcome

    text = (extra + "\n\n" if extra else "") + check_markdown(report, language)
    passed = sum(t.outcome is Outcome.PASSED for t in report.tests)
    html = f'<div class="rnnkit-check" lang="{language}">{MARKDOWN.render(text)}</div>'
    return {
        "text": text,
        "html": html,
        "passed": passed,
        "tests": len(report.tests),
        "problem": report.problem is not None,
    }


def _submit(notebook: Path, language: str) -> dict:
    from .assignments import handouts
    from .intake import graded_modules

    assignment = assignment_of(notebook)
    graded = dict(graded_modules(assignment, handouts(assignment)))
    warnings = _warnings(notebook, graded, language)
    archive = rendu_zip(notebook, list(graded))
    report = check_report(notebook, None, language)
    names = ", ".join([notebook.name, *graded])
    head = {
        "fr": f"Archive à rendre : `{archive.name}` ({names}).",
        "en": f"File to hand in: `{archive.name}` ({names}).",
    }[language]
    reply = _reply(report, language, "\n\n".join([head, *(f"**{w}**" for w in warnings)]))
    return {**reply, "zip": str(archive), "warnings": warnings}


def _warnings(notebook: Path, graded: dict[str, str], language: str) -> list[str]:
    """Files of the hand-in that are missing, or still as handed out (then their questions score zero)."""
    from .intake import same_code

    fr = language == "fr"
    out = []
    for name, stub in graded.items():
        path = notebook.parent / name
        if not path.is_file():
            out.append(
                f"{name} manque à côté du notebook : il fait partie du rendu."
                if fr
                else f"{name} is missing beside the notebook: it is part of the hand-in."
            )
        elif same_code(path.read_text(encoding="utf-8", errors="replace"), stub):
            out.append(
                f"{name} est encore tel qu'il a été distribué : les questions qui s'y trouvent sont notées "
                "sur ce que vous y écrivez."
                if fr
                else f"{name} is still as it was handed out: the questions it holds are graded on what you write in it."
            )
    return out


def _start_fork_server() -> None:
    """Start the fork server (it imports torch in its own process) while a thread imports the kit here.
    From this, the main thread: bubblewrap ties the server's life to the thread that started it."""
    try:
        from . import isolation
        from .forkserver import Limits, shared_zygote

        if not isolation.portable():
            shared_zygote(Limits())
    except Exception:  # noqa: BLE001  (only a head start: the first check starts what is missing)
        traceback.print_exc()


def _import_kit() -> None:
    try:
        from . import grade  # noqa: F401  (torch, pytest and the grading stages)
    except Exception:  # noqa: BLE001  (the first check imports it again and reports the error)
        traceback.print_exc()
