"""The student's command line (``python -m rnnkit`` in a lab folder): check and submit, nothing else.

python -m rnnkit check [NOTEBOOK] [--question Q3]   the public tests; exit status 1 if one fails
python -m rnnkit submit [NOTEBOOK]                   the hand-in zip, after all public tests
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnkit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="tests publics d'un notebook / public tests of a notebook"
    )
    check.add_argument(
        "notebook", type=Path, nargs="?", help="le notebook (défaut : celui du dossier courant)"
    )
    check.add_argument("--question", "-q", help="une seule question, ex. Q2")
    check.add_argument("--lang", choices=("fr", "en"), default="fr")
    submit = commands.add_parser("submit", help="l'archive à rendre / the hand-in zip")
    submit.add_argument("notebook", type=Path, nargs="?")
    submit.add_argument("--lang", choices=("fr", "en"), default="fr")
    commands.add_parser("serve")  # the notebook's checking process (checking.py); not for people
    args = parser.parse_args(argv)
    if args.command == "serve":
        from .check_server import serve

        return serve()
    from .check_server import handle
    from .checking import find_notebook

    notebook = args.notebook if args.notebook else find_notebook()
    if notebook.is_dir():
        notebook = find_notebook(notebook)
    request = {
        "op": args.command,
        "notebook": str(notebook.resolve()),
        "language": args.lang,
        "questions": [args.question] if getattr(args, "question", None) else None,
    }
    reply = handle(request)
    print(reply["text"])
    return 0 if reply["passed"] == reply["tests"] and not reply["problem"] else 1


if __name__ == "__main__":
    sys.exit(main())
