"""The student's side in the notebook: ``check("Q2")`` and ``submit()``. Standard library only.

``check`` grades the SAVED notebook (and the modules beside it) with the public tests, as the final
grading does, in a separate process: what the kernel holds in memory never counts. That process
(``check_server.py``) stays alive across calls, so only the first call pays for importing torch;
each call still runs the student's code afresh in a new worker. It talks over pipes, so the same
code runs on Linux, macOS, Windows and Colab.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

PACKAGE = __package__ or "rnnkit"
HERE = Path(__file__).resolve().parent
START_SECONDS = 120.0  # importing torch on a slow laptop, plus the first worker
CHECK_SECONDS = 600.0  # one question's public tests, the student's code loaded first
MAX_REPLY = 20 * 2**20


class CheckUnavailable(RuntimeError):
    """The checking process could not start or answer: the kit's problem, never the student's code."""


def check(question: str | None = None, notebook: str | os.PathLike | None = None) -> None:
    """Run the public tests of ``question`` (all questions: None) on the saved notebook and show
    the result (HTML in Jupyter, text elsewhere). Returns nothing: this is not a grade."""
    path = Path(notebook) if notebook else find_notebook()
    stale = unsaved_cells(path)
    reply = _server().ask(
        {
            "op": "check",
            "notebook": str(path.resolve()),
            "questions": [question] if question else None,
        }
    )
    _show(reply, stale)


def submit(notebook: str | os.PathLike | None = None) -> Path | None:
    """Build ``<assignment>-rendu.zip`` beside the notebook: the saved notebook and every module the
    lab asks to edit. Runs all public checks and warns about what would cost points (a notebook not
    saved since its last edit, a module still as handed out, a missing file). Returns the zip's path."""
    path = Path(notebook) if notebook else find_notebook()
    stale = unsaved_cells(path)
    reply = _server().ask({"op": "submit", "notebook": str(path.resolve())})
    _show(reply, stale)
    return Path(reply["zip"]) if reply.get("zip") else None


def find_notebook(folder: Path | None = None) -> Path:
    """The course notebook of ``folder`` (default: the current one): the most recently saved one
    when several carry the course's metadata (a renamed copy beside the original)."""
    here = Path(folder or Path.cwd())
    candidates = [p for p in here.glob("*.ipynb") if assignment_of(p, quiet=True)]
    if not candidates:
        raise FileNotFoundError(
            f"aucun notebook du cours dans {here} : passez check(notebook='...') / "
            f"no course notebook in {here}: pass check(notebook='...')"
        )
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name))


def assignment_of(path: Path, quiet: bool = False) -> str:
    """The assignment id a notebook declares in its metadata (``rnnkit.assignment``)."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
        return str(meta["rnnkit"]["assignment"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        if quiet:
            return ""
        raise ValueError(f"{path} is not a course notebook (no rnnkit metadata)") from None


RECENT = 8  # cells run last in the kernel whose text must be in the saved file


def unsaved_cells(path: Path) -> list[int]:
    """Execution counts of cells run lately in this kernel whose code the saved ``path`` does not hold:
    edits the check would not see. Empty outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = getattr(shell, "user_ns", {}).get("In") if shell is not None else None
    if not history or len(history) < 2:
        return []
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        saved = {_normal(c.get("source", "")) for c in cells if c.get("cell_type") == "code"}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    stale = []
    for count in range(
        max(1, len(history) - 1 - RECENT), len(history) - 1
    ):  # the running cell excluded
        code = history[count]
        if (
            isinstance(code, str)
            and code.strip()
            and "get_ipython()" not in code
            and _normal(code) not in saved
        ):
            stale.append(count)
    return stale


def _normal(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _show(reply: dict, stale: list[int] = ()) -> None:
    warning = ""
    if stale:
        cells = ", ".join(f"In [{n}]" for n in stale)
        warning = (
            f"Attention : {cells} n'est pas dans le notebook enregistré (modifié depuis la dernière "
            f"sauvegarde ?). Enregistrez (Ctrl-S) puis relancez : la vérification lit le fichier."
        )
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None and reply.get("html"):
        display(
            HTML((f"<p><strong>{_escape(warning)}</strong></p>" if warning else "") + reply["html"])
        )
    else:
        print("\n\n".join(part for part in (warning, reply.get("text", "")) if part))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=1)
def _server() -> _Server:
    server = _Server()
    atexit.register(server.close)
    return server


class _Server:
    """The kernel's handle on its checking process, restarted when it died or the kit changed."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.replies: queue.Queue = queue.Queue()
        self.kit = ""
        self.ready = False
        self.lock = threading.Lock()
        self.log = Path(tempfile.gettempdir()) / f"{PACKAGE}-check-{os.getpid()}.log"

    def start(self) -> None:
        """Start the process now without waiting for it (the import of the package does this in a
        notebook, so that the first check finds torch already imported)."""
        with self.lock:
            self._ensure()

    def ask(self, request: dict) -> dict:
        with self.lock:
            for attempt in range(2):
                self._ensure()
                deadline = (
                    time.monotonic() + (START_SECONDS if not self.ready else 0) + CHECK_SECONDS
                )
                try:
                    self._write(request)
                    reply = self._read(deadline)
                except (OSError, EOFError, TimeoutError, ValueError) as err:
                    self.close()
                    if attempt == 1:
                        raise CheckUnavailable(
                            f"la vérification n'a pas pu s'exécuter ({type(err).__name__}) ; journal : {self.log} / "
                            f"the check could not run; log: {self.log}"
                        ) from None
                    continue
                self.ready = True
                if "fault" in reply:
                    raise CheckUnavailable(reply["fault"])
                return reply
        raise CheckUnavailable("unreachable")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
        self.process = None

    # -- internals -----------------------------------------------------------------------------
    def _ensure(self) -> None:
        kit = _kit_fingerprint()
        if self.process is not None and self.process.poll() is None and kit == self.kit:
            return
        self.close()  # dead, or the kit's files changed (a new version of the package): a fresh process
        self.kit, self.ready, self.replies = kit, False, queue.Queue()
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", PACKAGE, "serve"],
                cwd=HERE.parent,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        threading.Thread(
            target=_pump, args=(self.process.stdout, self.replies), daemon=True
        ).start()

    def _write(self, request: dict) -> None:
        self.process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
        self.process.stdin.flush()

    def _read(self, deadline: float) -> dict:
        try:
            line = self.replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None
        if not line:
            raise EOFError
        return json.loads(line)


def _pump(stream, replies: queue.Queue) -> None:
    """One reply per line; the empty string when the process is gone."""
    try:
        for line in iter(lambda: stream.readline(MAX_REPLY), b""):
            replies.put(line.decode("utf-8"))
    except (OSError, ValueError):
        pass
    replies.put("")


def _kit_fingerprint() -> str:
    """Changes when a file of this package changes (the checking process is then restarted)."""
    digest = hashlib.sha256()
    for path in sorted(HERE.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


def rendu_zip(notebook: Path, modules: list[str]) -> Path:
    """``<assignment>-rendu.zip`` beside ``notebook``: the notebook and ``modules`` (those present)."""
    folder = notebook.parent
    target = folder / f"{assignment_of(notebook)}-rendu.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(notebook, notebook.name)
        for name in modules:
            if (folder / name).is_file():
                archive.write(folder / name, name)
    return target
