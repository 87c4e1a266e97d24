"""Each message is in one language: no English fragment in a French text, no French one in an English text.

Students read one language; a half-translated message (an English clause left in the ``fr`` text
after an edit) reads as careless and may not be understood. The check looks for common function
words of the other language, as whole words, outside what is not prose: code spans (`...`),
placeholders ({...}), quoted strings and identifiers (names with ``_``, ``.``, or a call's ``(``).
"""

import re

import pytest

from autograder.messages import CATALOG

# Words that only occur as prose in their own language (words both languages share, or that are
# one language's word and the other's abbreviation, such as "a", "on", "or", "plus", "par", are left out).
FRENCH = frozenset(
    """le la les des du est sont une pas avec dans pour sur qui que mais cette votre vos
    doit doivent être ne au aux et il elle ces leur ni très sans aussi donc car déjà chaque""".split()
)
ENGLISH = frozenset(
    """the is are of with not should must and your this that from which does do
    it be been has have at its these those only than then when into instead""".split()
)

_NOT_PROSE = [
    re.compile(r"`[^`]*`"),  # code spans
    re.compile(r"\{\{|\}\}"),  # escaped braces of str.format
    re.compile(r"\{[^{}]*\}"),  # placeholders
    re.compile(
        r"'[^'\s][^']*'(?=[\s,.;:)]|$)"
    ),  # quoted strings ('...'), not French elisions (l'état)
    re.compile(r'"[^"]*"'),
    re.compile(r"\b\w+(?:\.\w+)+(?:\([^()]*\))?"),  # dotted names, F.cross_entropy(...)
    re.compile(r"\b\w*_\w*\b"),  # identifiers with underscores
    re.compile(r"\b\w+\([^()]*\)"),  # calls: one_step(x, h), softmax(dim=1)
]


def prose(text: str) -> str:
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def foreign_words(text: str, language: str) -> list[str]:
    """The other language's function words found in ``text`` (a message in ``language``)."""
    other = ENGLISH if language == "fr" else FRENCH
    return [w for w in re.findall(r"[^\W\d_]+", prose(text).lower()) if w in other]


def _entries():
    for key, entry in sorted(CATALOG.items()):
        for variant, text in sorted(entry.items()):
            yield key, variant, text


def test_every_catalog_entry_is_in_one_language():
    mixed = []
    for key, variant, text in _entries():
        language = variant.split("_")[0]
        if language not in ("fr", "en"):
            continue
        found = foreign_words(text, language)
        if found:
            mixed.append(f"{key}[{variant}]: {', '.join(sorted(set(found)))}")
    assert not mixed, "messages with words of the other language:\n" + "\n".join(mixed)


@pytest.mark.parametrize(
    "language, text",
    [
        ("fr", "La sortie ne change pas when the last step changes."),
        ("en", "The output does not change quand on modifie le dernier pas."),
        ("fr", "Votre code renvoie {got} : it must be a tensor."),
    ],
)
def test_a_mixed_message_is_caught(language, text):
    assert foreign_words(text, language)


@pytest.mark.parametrize(
    "language, text",
    [
        (
            "fr",
            "Utilisez `torch.softmax(x, dim=1)` et gardez {the_value} ; F.cross_entropy(output, target) le fait.",
        ),
        ("fr", "Le début 'The ' est lu par one_step(x, h) avant de générer."),
        ("en", "Use `la valeur` and {des} with x.new_zeros(B, H): the state is created there."),
    ],
)
def test_code_placeholders_and_identifiers_are_not_prose(language, text):
    assert foreign_words(text, language) == []
