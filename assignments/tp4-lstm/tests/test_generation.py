"""Hidden tests of Q3 (``generate``), Q6 (``generate_beam``) and Q7 (``p_nucleus``, ``generate_beam_nucleus``).

The student's functions drive a small table-driven model built in the worker from tensors the
grader sends (``RNN`` of the lab's ``procedures.py``: the state is a node of a tree of prefixes, the decoder
gives that node's logits; it follows the lab's state protocol and counts its ``one_step``
calls). The expected answers are computed here from the same tables: greedy text, every
hypothesis a beam can end with (exhaustive search), log-probabilities, nuclei.

Q3: greedy text with and without ``start``, stop at EOS (also seen from the number of steps
run, since ``code2string`` hides symbols after EOS), ``maxlen`` exact, the LSTM's ``(h, c)``
state through ``rnn.hidden``, and sampling: 500 seeded draws must follow the model's
distribution (chi-square, p < 1e-4 fails).
Q6: ``k = 1`` is greedy; on models where greedy is not optimal the result is the most probable
sentence (exhaustive search), never less probable than greedy's, and finished hypotheses
(EOS) compete with their score without being extended.
Q7: ``p_nucleus`` on random batched logits and several alphas (crossing symbol included,
renormalised, alpha = 1 gives the softmax, a top probability above alpha gives one-hot, rows
independent), and every symbol emitted by ``generate_beam_nucleus`` lies in the nucleus of its
step, over several seeded runs.
"""

import math

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, expect_shape, grade, lab_module

K = lab_module(__file__, "tp4_checks")
E = K.EOS_TOKEN
EOS = K.EOS
SINK = {"w": 0.4, "x": 0.3, "y": 0.2, "z": 0.1}  # after EOS or off the tree: a model that goes on


def _prefixed(tree, start):
    """The same tree read after ``start`` (the prefixes of start lead there with probability 1)."""
    out = {start[:i]: {start[i]: 1.0} for i in range(len(start))}
    out.update({start + key: value for key, value in tree.items()})
    return out


# Q3: greedy from "Th" is "The end"; from "" it is "a".
GEN = {
    "": {"a": 0.7, "T": 0.3},
    "a": {E: 1.0},
    "T": {"h": 0.8, "o": 0.2},
    "Th": {"e": 0.6, "i": 0.4},
    "The": {" ": 0.7, E: 0.3},
    "The ": {"e": 0.55, "d": 0.45},
    "The e": {"n": 0.9, E: 0.1},
    "The en": {"d": 0.8, "t": 0.2},
    "The end": {E: 0.95, ".": 0.05},
}
LOOP = {"": {"a": 0.9, E: 0.1}}  # then the sink: never EOS
SAMPLE = {
    "": {"a": 0.5, "b": 0.3, "c": 0.2},
    "a": {"x": 0.6, E: 0.4},
    "ax": {E: 1.0},
    "b": {E: 1.0},
    "c": {E: 1.0},
}
SAMPLE_P = {"ax": 0.3, "a": 0.2, "b": 0.3, "c": 0.2}
SAMPLE_N = 500
CHI2_LIMIT = 21.11  # chi-square, 3 degrees of freedom, p = 1e-4
RARE = {"a": 0.9, "b": 0.1}  # every step, never EOS: temperature 0.8 gives b 0.056, 1.2 gives 0.14
RARE_STEPS, RARE_RUNS, RARE_Z = (
    20,
    100,
    4.5,
)  # 2000 draws; |z| > 4.5 has probability 7e-6 at temperature 1

# Q6: greedy is not the most probable sentence in any of these.
BEAM_FIRST = {
    "": {"f": 0.78, E: 0.22},
    "f": {"a": 0.6, E: 0.4},
    "fa": {"b": 0.22, "g": 0.2, E: 0.58},
    "fab": {E: 1.0},
    "fag": {E: 1.0},
}
BEAM_SECOND = {
    "": {"h": 0.77, E: 0.23},
    "h": {"g": 0.22, "c": 0.4, E: 0.38},
    "hg": {"d": 0.17, "c": 0.14, E: 0.69},
    "hgd": {E: 1.0},
    "hgc": {E: 1.0},
    "hc": {"e": 0.49, "a": 0.38, E: 0.13},
    "hce": {E: 1.0},
    "hca": {E: 1.0},
}
BEAM_THIRD = {
    "": {"e": 0.81, E: 0.19},
    "e": {"c": 0.53, E: 0.47},
    "ec": {"e": 0.13, "f": 0.2, "c": 0.32, E: 0.35},
    "ece": {E: 1.0},
    "ecf": {E: 1.0},
    "ecc": {E: 1.0},
}
BEAM_LONG = {
    "": {"a": 0.5, "b": 0.45, E: 0.05},
    "a": {"c": 0.4, "d": 0.3, "e": 0.3},
    "b": {"f": 0.95, E: 0.05},
    "bf": {E: 0.95, "g": 0.05},
}
BEAM_MAXLEN = 8

# Q7: with alpha = 0.5 the nuclei are {a}, then {c, d}, then {EOS}.
NUCLEUS_TREE = {
    "": {"a": 0.55, "b": 0.45},
    "a": {"c": 0.3, "d": 0.25, "e": 0.2, "f": 0.15, E: 0.1},
    "b": {E: 0.99, "g": 0.01},
    "ac": {E: 0.6, "g": 0.4},
    "ad": {E: 0.7, "h": 0.3},
    "acg": {E: 1.0},
    "adh": {E: 1.0},
}
NUCLEUS_ALPHA = 0.5
NUCLEUS_RUNS = 6
# alpha = 0.6: nuclei {a, b}, then {EOS, e} after "a" (mass 0.95) and {EOS, f} after "b" (mass 0.66).
NUCLEUS_SCORES = {
    "": {"a": 0.42, "b": 0.40, "c": 0.18},
    "a": {E: 0.5, "e": 0.45, "d": 0.05},
    "b": {E: 0.45, "f": 0.21, "g": 0.19, "h": 0.15},
    "ae": {E: 1.0},
    "bf": {E: 1.0},
}
NUCLEUS_SCORES_ALPHA = 0.6


def _run(student, name, table, args, kwargs=None, *, tuple_state=False, repeat=1, timeout=None):
    """The student's function on a fresh table model: (results, one_step batch sizes per run)."""
    out = student.call(
        "@tp4_generate",
        student.get(name),
        table.spec(tuple_state),
        list(args),
        kwargs or {},
        repeat,
        timeout=timeout,
    )
    return out["results"], out["calls"]


def _text(student, name, table, *args, tuple_state=False):
    # Greedy asked in the student's own words (sample=False, argmax=True, mode="greedy"...), or its default.
    kwargs = {"sample": False} if name == "generate" else None
    results, calls = _run(student, name, table, args, kwargs, tuple_state=tuple_state)
    return K.as_text(results[0], name), calls[0]


# --- Q3 ---------------------------------------------------------------------------------------------------


@grade("Q3", points=0.25, timeout=10)
def test_generate_start_and_eos(student):
    """Greedy text after "Th" and after "": start is read first and kept, EOS ends the text and the loop."""
    table = K.make_table(GEN, SINK)
    for start in ("Th", ""):
        want, _, _ = table.greedy(start, 40)
        got, calls = _text(student, "generate", table, EOS, start, 40)
        if "<EOS>" in got:
            raise Wrong("tp4_gen_includes_eos", got=got)
        if got == want:
            if len(calls) > len(want) + 1:  # start, the generated symbols, at most the EOS itself
                raise Wrong("tp4_gen_no_stop_at_eos", steps=len(calls), needed=len(want) + 1)
            continue
        if start and got == start + table.greedy("", 40)[0]:
            raise Wrong("tp4_gen_ignores_start", start=start)
        if start and not got.startswith(start) and start + got == want:
            raise Wrong("tp4_gen_start_missing", start=start)
        if start and got == start[:-1] + want[len(start) :]:
            raise Wrong("tp4_gen_start_missing", start=start)
        raise Wrong("tp4_gen_greedy", start=start, got=got)


@grade("Q3", points=0.25, timeout=10)
def test_generate_maxlen(student):
    """A model that never emits EOS: exactly maxlen symbols are generated (7, then 12)."""
    table = K.make_table(LOOP, SINK)
    for maxlen in (7, 12):
        got, _ = _text(student, "generate", table, EOS, "", maxlen)
        if len(got) != maxlen:
            raise Wrong("tp4_gen_maxlen", maxlen=maxlen, got=len(got))
        want, _, _ = table.greedy("", maxlen)
        if got != want:
            raise Wrong("tp4_gen_greedy", start="", got=got)


@grade("Q3", points=0.25, timeout=10)
def test_generate_with_lstm_state(student):
    """The same greedy text when the state is a pair (h, c), as for the LSTM: the state goes through rnn.hidden."""
    table = K.make_table(GEN, SINK)
    want, _, _ = table.greedy("Th", 40)
    try:
        got, _ = _text(student, "generate", table, EOS, "Th", 40, tuple_state=True)
    except StudentError as err:
        if err.kind == "raised":
            raise Wrong(
                "tp4_gen_state_protocol", error=f"{err.type}: {err.message}"[:200]
            ) from None
        raise
    if got != want:
        raise Wrong("tp4_gen_state_protocol", error=f"text {got!r}")


@grade("Q3", points=0.25, timeout=20)
def test_generate_sampling_follows_the_model(student):
    """sample=True: 500 seeded draws of a tiny model's sentences follow its distribution (chi-square)."""
    table = K.make_table(SAMPLE, SINK)
    try:
        results, _ = _run(
            student, "generate", table, [EOS, "", 10], {"sample": True}, repeat=SAMPLE_N, timeout=20
        )
    except StudentError as err:
        if err.type == "TypeError" and "sample" in err.message:
            raise Wrong("tp4_gen_sample_kw", error=err.message[:200]) from None
        raise
    texts = [K.as_text(r, "generate") for r in results]
    counts = {key: 0 for key in SAMPLE_P}
    others = 0
    for t in texts:
        if t in counts:
            counts[t] += 1
        else:
            others += 1
    if len(set(texts)) == 1:
        raise Wrong("tp4_gen_sample_argmax", n=SAMPLE_N, text=texts[0])
    chi2 = sum((counts[k] - SAMPLE_N * p) ** 2 / (SAMPLE_N * p) for k, p in SAMPLE_P.items())
    if others or chi2 > CHI2_LIMIT:
        raise Wrong(
            "tp4_gen_sample_distribution",
            n=SAMPLE_N,
            chi2=f"{chi2:.1f}",
            limit=CHI2_LIMIT,
            others=others,
        )
    # A temperature (0.8 or 1.2 instead of 1) hides in the sentence test above: count a rare symbol over
    # many steps of a model that never ends (one draw per step, p = 0.1): 2000 draws, |z| <= 4.5.
    table = K.make_table({"": RARE}, RARE)
    results, _ = _run(
        student,
        "generate",
        table,
        [EOS, "", RARE_STEPS],
        {"sample": True},
        repeat=RARE_RUNS,
        timeout=20,
    )
    text = "".join(K.as_text(r, "generate") for r in results)
    n, rare = len(text), text.count("b")
    z = (rare - RARE["b"] * n) / math.sqrt(max(n, 1) * RARE["b"] * (1 - RARE["b"]))
    if n < RARE_STEPS * RARE_RUNS // 2 or abs(z) > RARE_Z:
        raise Wrong(
            "tp4_gen_sample_temperature",
            n=n,
            rare=rare,
            expected=f"{RARE['b'] * n:.0f}",
            z=f"{z:.1f}",
        )


# --- Q6 ---------------------------------------------------------------------------------------------------


def _beam_check(student, tree, start, k):
    table = K.make_table(_prefixed(tree, start), SINK)
    got, _ = _text(student, "generate_beam", table, EOS, k, start, BEAM_MAXLEN)
    best_score, best_text, _ = table.exhaustive(start, BEAM_MAXLEN)[0]
    if got == best_text:
        return
    if not got.startswith(start):
        raise Wrong("tp4_beam_ignores_start", start=start)
    score = table.score_of(start, got, BEAM_MAXLEN)
    greedy_text, greedy_score, _ = table.greedy(start, BEAM_MAXLEN)
    if score is None:
        raise Wrong("tp4_beam_invalid", got=got)
    if len(got) - len(start) == BEAM_MAXLEN and score < best_score:
        raise Wrong("tp4_beam_finished_lost", k=k, maxlen=BEAM_MAXLEN)
    if score < greedy_score - 1e-9:
        raise Wrong(
            "tp4_beam_worse_than_greedy",
            k=k,
            got=got,
            score=f"{score:.3f}",
            greedy=f"{greedy_score:.3f}",
        )
    raise Wrong("tp4_beam_not_best", k=k, got=got, score=f"{score:.3f}")


@grade("Q6", points=0.75, timeout=10)
def test_beam_finds_the_most_probable_sentence(student):
    """k = 1 is greedy; with k = 2 or 3 on models where greedy is not optimal, the exhaustive optimum."""
    table = K.make_table(_prefixed(BEAM_SECOND, "Th"), SINK)
    got, _ = _text(student, "generate_beam", table, EOS, 1, "Th", BEAM_MAXLEN)
    if got != table.greedy("Th", BEAM_MAXLEN)[0]:
        raise Wrong("tp4_beam_k1", got=got)
    _beam_check(student, BEAM_SECOND, "Th", 3)
    _beam_check(student, BEAM_LONG, "Un ", 2)


@grade("Q6", points=0.5, timeout=10)
def test_beam_keeps_finished_hypotheses(student):
    """A sentence that ends early (EOS) stays in competition with its score and wins, unextended."""
    _beam_check(student, BEAM_FIRST, "", 2)
    _beam_check(student, BEAM_THIRD, "", 3)


# --- Q7 ---------------------------------------------------------------------------------------------------


def _nucleus_logits(seed, rows, vocab, alpha):
    """Random logits whose cumulative sorted masses stay at least 0.01 away from alpha."""
    g = torch.Generator().manual_seed(seed)
    out = []
    while len(out) < rows:
        row = torch.randn(vocab, generator=g, dtype=torch.float64) * (
            0.5 + 2.5 * torch.rand(1, generator=g, dtype=torch.float64)
        )
        cum = torch.softmax(row, -1).sort(descending=True).values.cumsum(0)
        if alpha < 1 and bool(((cum - alpha).abs() < 0.01).any()):
            continue
        out.append(row)
    return torch.stack(out).float()


def _nucleus(student, alpha, logits):
    info = student.call("@tp4_nucleus", student.get("p_nucleus"), alpha, logits)
    if not info["callable"]:
        raise Wrong("tp4_nucleus_not_callable", got=info["type"])
    out = info["result"]
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        raise Wrong("tp4_nucleus_returns_index", got=describe(out))
    if isinstance(out, torch.Tensor) and tuple(out.shape) in (
        (logits.shape[0],),
        (logits.shape[0], 1),
    ):
        raise Wrong("tp4_nucleus_returns_index", got=describe(out))
    return expect_shape(out, tuple(logits.shape), "p_nucleus(decoder, alpha)(h)", "(B, V)").to(
        torch.float64
    )


def _nucleus_problem(got, logits, alpha):
    want = K.nucleus_probs(logits, alpha)
    if K.close(got, want, 1e-5, 1e-4):
        return None
    finite = got.nan_to_num(nan=0.0, neginf=-1.0)
    if bool((finite < -1e-6).any()) and K.close(got.exp(), want, 1e-5, 1e-4):
        return "tp4_nucleus_log_probs"
    if bool((finite < -1e-6).any()):
        return "tp4_nucleus_log_probs"
    if alpha < 1 and K.close(got, K.nucleus_dropping_crossing(logits, alpha), 1e-5, 1e-4):
        return "tp4_nucleus_drops_crossing"
    probs = torch.softmax(logits.to(torch.float64), -1)
    if K.close(got, probs * (want > 0), 1e-5, 1e-4):
        return "tp4_nucleus_not_renormalised"
    if not torch.isfinite(got).all() and (want.max(-1).values > 1 - 1e-9).any():
        return "tp4_nucleus_one_hot"
    if K.close(got[:1], want[:1], 1e-5, 1e-4):
        return "tp4_nucleus_rows"
    if alpha >= 1:
        return "tp4_nucleus_full_softmax"
    return "tp4_nucleus_values"


@grade("Q7", points=0.75, timeout=10)
def test_nucleus_distribution(student, seed):
    """Random batches of logits, alpha in (0.35, 0.8, 0.95, 1): the renormalised nucleus of each row."""
    cases = [
        (alpha, _nucleus_logits(seed + i, 6, 12, alpha))
        for i, alpha in enumerate((0.35, 0.8, 0.95, 1.0))
    ]
    onehot = _nucleus_logits(seed + 9, 4, 10, 0.6)
    onehot[0] = torch.tensor([4.0] + [0.0] * 9)  # top probability 0.86 > alpha = 0.6
    cases.append((0.6, onehot))
    for alpha, logits in cases:
        got = _nucleus(student, alpha, logits)
        key = _nucleus_problem(got, logits, alpha)
        if key is not None:
            raise Wrong(key, alpha=alpha)


def _best_under_nucleus(table, alpha, maxlen):
    """The most probable finished sentence when every step scores the log of its nucleus probability
    (exhaustive, in the grader): what a k-beam finds when k covers every nucleus of a small tree."""
    best, stack = ("", float("-inf")), [("", 0, 0.0)]
    while stack:
        text, node, score = stack.pop()
        probs = K.nucleus_probs(table.logits[node : node + 1], alpha)[0]
        for code in (probs > 0).nonzero().flatten().tolist():
            value = score + math.log(float(probs[code]))
            if code == EOS:
                best = max(best, (text, value), key=lambda item: item[1])
            elif len(text) + 1 < maxlen:
                stack.append((text + K.CHAR[code], int(table.transitions[node, code]), value))
    return best[0]


@grade("Q7", points=0.75, timeout=20)
def test_nucleus_beam_stays_in_the_nucleus(student):
    """generate_beam_nucleus (k = 2, alpha = 0.5), several seeded runs: every symbol lies in its step's nucleus."""
    table = K.make_table(NUCLEUS_TREE, SINK)
    try:
        results, _ = _run(
            student,
            "generate_beam_nucleus",
            table,
            [EOS, 2, NUCLEUS_ALPHA, "", 10],
            repeat=NUCLEUS_RUNS,
        )
    except StudentError as err:
        if err.kind == "raised" and "multinomial" in err.message:
            raise Wrong(
                "tp4_nucleus_beam_small_nucleus", error=f"{err.type}: {err.message}"[:200]
            ) from None
        raise
    for result in results:
        text = K.as_text(result, "generate_beam_nucleus")
        if K.normalize(text) != text:
            raise Wrong("tp4_beam_invalid", got=text)
        codes = K.codes_of(text)
        nodes = table.path_nodes("", text)
        for step, (node, code) in enumerate(zip(nodes, codes)):
            allowed = K.nucleus_probs(table.logits[node : node + 1], NUCLEUS_ALPHA)[0] > 0
            if not bool(allowed[code]):
                raise Wrong("tp4_nucleus_beam_outside", step=step, got=text)
        if len(codes) < 10:
            allowed = K.nucleus_probs(table.logits[nodes[-1] : nodes[-1] + 1], NUCLEUS_ALPHA)[0] > 0
            if not bool(allowed[EOS]):
                raise Wrong("tp4_nucleus_beam_outside", step=len(codes), got=text)
    # Values, not only properties: every nucleus below has exactly k = 2 symbols, so drawing k of them
    # without replacement proposes them all and the beam is deterministic. Scored by the log of the
    # renormalised nucleus probabilities, "b" wins; by the softmax (or an unrenormalised nucleus), "a".
    table = K.make_table(NUCLEUS_SCORES, SINK)
    want = _best_under_nucleus(table, NUCLEUS_SCORES_ALPHA, 6)
    results, _ = _run(
        student, "generate_beam_nucleus", table, [EOS, 2, NUCLEUS_SCORES_ALPHA, "", 6]
    )
    got = K.as_text(results[0], "generate_beam_nucleus")
    if got != want:
        raise Wrong("tp4_nucleus_beam_scores", got=got, alpha=NUCLEUS_SCORES_ALPHA)
