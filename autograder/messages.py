"""The one catalog of student-facing messages, in French (default) and English.

A message is a key plus parameters (``results.Message``); tests and stages never write prose
themselves. Hidden tests use the ``hidden`` variant when there is one: it says what is wrong
without showing expected values.
"""

from __future__ import annotations

import re

from .results import Message

LANGUAGES = ("fr", "en")

# key: {"fr": ..., "en": ..., optional "fr_hidden"/"en_hidden"}
CATALOG: dict[str, dict[str, str]] = {
    # -- checks on values --------------------------------------------------------------------
    "not_a_tensor": {
        "fr": "{function} doit renvoyer un tenseur {legend}, mais a renvoyé : {got}.",
        "en": "{function} must return a tensor {legend}, but returned: {got}.",
    },
    "shape": {
        "fr": "{function} : forme attendue {expected} {legend}, obtenue {got}.",
        "en": "{function}: expected shape {expected} {legend}, got {got}.",
    },
    "dtype": {
        "fr": "{function} : type attendu {expected}, obtenu {got}.",
        "en": "{function}: expected dtype {expected}, got {got}.",
    },
    "values": {
        "fr": "{function} : {what} incorrect. Plus grand écart {worst} à l'indice {index} {legend} "
        "(attendu {expected}, obtenu {got} ; tolérance atol={atol}, rtol={rtol}).",
        "en": "{function}: wrong {what}. Largest difference {worst} at index {index} {legend} "
        "(expected {expected}, got {got}; tolerance atol={atol}, rtol={rtol}).",
        "fr_hidden": "{function} : {what} incorrect. Plus grand écart {worst} à l'indice {index} {legend} "
        "(tolérance atol={atol}, rtol={rtol}).",
        "en_hidden": "{function}: wrong {what}. Largest difference {worst} at index {index} {legend} "
        "(tolerance atol={atol}, rtol={rtol}).",
    },
    "not_finite": {
        "fr": "{function} : {what} contient des NaN ou des infinis (premier à l'indice {index}).",
        "en": "{function}: {what} contains NaN or infinite values (first at index {index}).",
    },
    "missing": {
        "fr": "{name} n'est pas défini dans votre rendu.",
        "en": "{name} is not defined in your submission.",
    },
    "expectation": {  # a test's own explanation, already written for students (both languages)
        "fr": "{fr}",
        "en": "{en}",
    },
    # -- outcomes of student code ---------------------------------------------------------------
    "student_not_implemented": {
        "fr": "Pas encore implémenté (NotImplementedError{where_suffix}).",
        "en": "Not implemented yet (NotImplementedError{where_suffix}).",
    },
    "student_raised": {
        "fr": "Votre code a levé une exception : {error}{where_suffix}.",
        "en": "Your code raised an exception: {error}{where_suffix}.",
    },
    "student_memory": {
        "fr": "Votre code a dépassé la mémoire autorisée : {error}{where_suffix}.",
        "en": "Your code ran out of memory: {error}{where_suffix}.",
    },
    "student_timeout": {
        "fr": "Votre code a dépassé le temps imparti{where_suffix} (boucle infinie ?).",
        "en": "Your code ran out of time{where_suffix} (infinite loop?).",
    },
    "worker_timeout": {
        "fr": "Votre code ne rend plus la main ({detail}) : il a été arrêté.",
        "en": "Your code stopped responding ({detail}) and was stopped.",
    },
    "worker_died": {
        "fr": "Le processus qui exécutait votre code s'est arrêté ({detail}).",
        "en": "The process running your code stopped ({detail}).",
    },
    "skipped": {
        "fr": "Non évalué : un test préalable n'est pas réussi ({reason}).",
        "en": "Not run: a prerequisite test did not pass ({reason}).",
    },
    "no_recurrence": {
        "fr": "{function} : changer le premier pas de la séquence (longueur {length}) ne change pas la dernière sortie : "
        "l'état caché ne transmet rien d'un pas au suivant. Un modèle sans récurrence n'obtient pas les "
        "points d'apprentissage.",
        "en": "{function}: changing the first step of the sequence (length {length}) does not change the last output: "
        "the hidden state carries nothing from one step to the next. A model without recurrence does not get "
        "the learning points.",
    },
    "look_ahead": {
        "fr": "{function} : changer l'entrée au pas {step} modifie des sorties des pas précédents : le modèle lit "
        "la suite de la séquence (il doit ne dépendre que des pas déjà lus).",
        "en": "{function}: changing the input at step {step} moves outputs of earlier steps: the model reads ahead "
        "(each output must depend only on the steps read so far).",
    },
    "needs_review": {
        "fr": "Les valeurs sont justes, mais votre code utilise {construct} ({where}), ce que la règle de cette "
        "question ne permet pas de trancher automatiquement : un enseignant relira la question avant de la noter.",
        "en": "The values are right, but your code uses {construct} ({where}), which this question's rule cannot "
        "decide automatically: a teacher will read the question before grading it.",
    },
    "review_missing": {
        "fr": "{question} : {names} introuvable(s) sous ce(s) nom(s) dans votre rendu, mais il contient du code qui "
        "semble y répondre : {found}. Un enseignant lira ce code et notera la question à la main.",
        "en": "{question}: {names} not found under these names in your submission, but it holds code that seems to "
        "answer it: {found}. A teacher will read that code and grade the question by hand.",
    },
    "conventions_adapted": {
        "fr": "Votre code a été appelé comme il le demande ({what}) : aucune pénalité, le cours laisse ce choix libre.",
        "en": "Your code was called the way it asks to be called ({what}): no penalty, the course leaves this open.",
    },
    "graded_as_own_name": {
        "fr": "Votre rendu n'a pas de {asked} : ce test a été passé sur votre {own}, qui y répond.",
        "en": "Your submission has no {asked}: this test ran on your {own}, which answers it.",
    },
    "graded_under_own_name": {
        "fr": "Votre rendu n'a pas de {asked} ; ce test a été passé sur votre {own}, qui semble y répondre, et a "
        "échoué ({detail}). Comme {own} n'est peut-être pas la même fonction, un enseignant relira ce test.",
        "en": "Your submission has no {asked}; this test ran on your {own}, which seems to answer it, and failed "
        "(detail, in French: {detail}). Since {own} may not be the same function, a teacher will review it.",
    },
    "grader_error": {
        "fr": "Erreur du correcteur automatique (pas de votre faute) : l'équipe pédagogique est prévenue.",
        "en": "Autograder error (not your fault): the teaching staff has been told.",
    },
    "manual": {
        "fr": "Question notée à la main par l'équipe pédagogique.",
        "en": "Question graded by hand by the teaching staff.",
    },
    # -- intake and loading ---------------------------------------------------------------------
    "no_code": {
        "fr": "Aucun notebook (.ipynb) ni fichier Python (.py) trouvé dans le rendu{detail_suffix}.",
        "en": "No notebook (.ipynb) or Python file (.py) found in the submission{detail_suffix}.",
    },
    "bad_archive": {
        "fr": "L'archive n'a pas pu être ouverte : {detail}.",
        "en": "The archive could not be opened: {detail}.",
    },
    "several_notebooks": {
        "fr": "Plusieurs notebooks trouvés ; seul {chosen} a été corrigé (ignorés : {ignored}).",
        "en": "Several notebooks found; only {chosen} was graded (ignored: {ignored}).",
    },
    "several_notebooks_with_work": {
        "fr": "Plusieurs notebooks contiennent du travail et diffèrent ; {chosen} a été corrigé (ignorés : {ignored}). "
        "Un enseignant vérifiera qu'il s'agit du bon.",
        "en": "Several notebooks hold work and differ; {chosen} was graded (ignored: {ignored}). A teacher will check "
        "it is the right one.",
    },
    "notebook_forced": {
        "fr": "Le notebook {chosen} a été corrigé, comme demandé (ignorés : {ignored}).",
        "en": "Notebook {chosen} was graded, as asked (ignored: {ignored}).",
    },
    "notebook_not_found": {
        "fr": "Le notebook demandé, {name}, n'est pas dans le rendu (notebooks trouvés : {found}) : "
        "vérifiez son nom.",
        "en": "The notebook asked for, {name}, is not in the submission (notebooks found: {found}): check its name.",
    },
    "notebook_not_found_none": {
        "fr": "Le notebook demandé, {name}, n'est pas dans le rendu, qui n'en contient aucun : vérifiez son nom "
        "et son dossier.",
        "en": "The notebook asked for, {name}, is not in the submission, which holds none: check its name and "
        "folder.",
    },
    "modules_missing": {
        "fr": "Votre rendu ne contient pas {files} : les questions qui en dépendent{detail_suffix} ont donc été "
        "corrigées avec les fichiers distribués, où les fonctions à écrire ne sont pas encore implémentées. "
        "Si vous les avez complétés, rendez-les avec votre notebook (dans le même dossier ou la même "
        "archive) : ils seront corrigés.",
        "en": "Your submission does not contain {files}: the questions that depend on them{detail_suffix} were "
        "therefore graded with the handed-out files, where the functions to write are not implemented yet. "
        "If you completed them, hand them in with your notebook (in the same folder or archive) and they "
        "will be graded.",
    },
    "modules_unchanged": {
        "fr": "Votre rendu contient {files} sans aucune modification par rapport à la version distribuée : les "
        "questions qui en dépendent{detail_suffix} ont donc été corrigées sur les squelettes à compléter. "
        "Si vous les avez complétés, vérifiez que vous avez rendu la version enregistrée de ces fichiers.",
        "en": "Your submission contains {files} exactly as handed out: the questions that depend on them"
        "{detail_suffix} were therefore graded on the skeletons to complete. If you completed them, check "
        "that you handed in the saved version of these files.",
    },
    "duplicate_module": {
        "fr": "Deux fichiers portent le même nom de module ; {chosen} a été utilisé, {ignored} ignoré.",
        "en": "Two files have the same module name; {chosen} was used, {ignored} ignored.",
    },
    "file_too_large": {
        "fr": "Le fichier {name} dépasse {limit} (sans compter les sorties des cellules) : il n'a pas été corrigé.",
        "en": "File {name} is over {limit} (cell outputs not counted): it was not graded.",
    },
    "invalid_notebook": {
        "fr": "Le notebook {name} n'est pas lisible (JSON invalide : {detail}).",
        "en": "Notebook {name} cannot be read (invalid JSON: {detail}).",
    },
    "empty_notebook": {
        "fr": "Le notebook {name} ne contient aucune cellule de code.",
        "en": "Notebook {name} has no code cell.",
    },
    "step_raised": {
        "fr": "{where} (« {first_line} ») a levé une erreur : {error}. Le chargement a continué.",
        "en": '{where} ("{first_line}") raised an error: {error}. Loading went on.',
    },
    "step_timeout": {
        "fr": "{where} (« {first_line} ») a été interrompu : {error}. Le chargement a continué.",
        "en": '{where} ("{first_line}") was interrupted: {error}. Loading went on.',
    },
    "steps_same_error": {
        "fr": "{count} cellules ou instructions ont levé la même erreur : {error} ({places}). Le chargement a continué.",
        "en": "{count} cells or statements raised the same error: {error} ({places}). Loading went on.",
    },
    "step_syntax": {
        "fr": "{where} (« {first_line} ») ne se lit pas en Python : {error}. Le reste a été chargé.",
        "en": '{where} ("{first_line}") is not valid Python: {error}. The rest was loaded.',
    },
    "worker_fault": {
        "fr": "La correction a échoué de notre côté, avant que votre code ne soit exécuté : l'équipe pédagogique "
        "est prévenue et vous n'y perdez rien.",
        "en": "Grading failed on our side, before your code ran: the teaching staff has been told, and you lose "
        "nothing.",
    },
    "worker_start": {
        "fr": "Votre code n'a pas pu être chargé : {detail}.",
        "en": "Your code could not be loaded: {detail}.",
    },
    # -- Gradescope and hand grading ------------------------------------------------------------
    "gradescope_hidden_later": {
        "fr": "Les tests publics s'affichent ci-dessous dès maintenant ; les tests cachés, et donc la note, "
        "apparaîtront quand l'équipe pédagogique publiera les notes.",
        "en": "The public tests are shown below right away; the hidden tests, and so the grade, "
        "appear when the teaching staff publishes the grades.",
    },
    "gradescope_manual": {
        "fr": "Questions à réponse rédigée, notées à la main et hors de cette note automatique : {questions}.",
        "en": "Written-answer questions, graded by hand and not part of this automatic grade: {questions}.",
    },
}


def _add_lab_catalogs() -> None:
    """Merge each lab's section (``assignments/<id>/catalog.py``; a student folder ships its own lab's
    only); a key defined twice is an authoring error."""
    from .assignments import lab_files, lab_key, load_module

    for assignment_id, path in lab_files("catalog.py").items():
        section = load_module(path, f"{__package__}.lab_catalog_{lab_key(assignment_id)}").CATALOG
        clash = set(section) & set(CATALOG)
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        CATALOG.update(section)


_add_lab_catalogs()


CODE_CELL = re.compile(r"\bcode cell (\d+)")
CODE_CELL_WORDS = {"fr": r"cellule de code \1", "en": r"code cell \1"}


def _places(value: str, language: str) -> str:
    """Notebook places come from the worker in one form (``sandbox/loader.cell_labels``): in the reader's words."""
    return CODE_CELL.sub(CODE_CELL_WORDS.get(language, CODE_CELL_WORDS["en"]), value)


def render(message: Message, language: str = "fr", hidden: bool = False) -> str:
    """The message's text; unknown keys fall back to the key and its parameters."""
    entry = CATALOG.get(message.key)
    params = {key: _places(value, language) for key, value in message.as_dict().items()}
    params.setdefault("legend", "")
    where = params.get("where", "")
    params.setdefault("where_suffix", f", {where}" if where else "")
    detail = params.get("detail", "")
    params.setdefault("detail_suffix", f" ({detail})" if detail else "")
    if entry is None:
        return f"{message.key}: {params}"
    template = (
        (entry.get(f"{language}_hidden") if hidden else None) or entry.get(language) or entry["en"]
    )
    try:
        text = template.format(**params)
    except (KeyError, IndexError):
        return f"{template} {params}"
    return " ".join(text.split())  # empty legends leave double spaces
