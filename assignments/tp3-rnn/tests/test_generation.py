"""Hidden tests of Q4: ``OneHotLinear`` (a Linear on one-hot vectors) and ``generate_fixed``.

``generate_fixed`` is run on stand-in models (a lookup-table embedding and the linear recurrent
stand-in, weights chosen here) whose greedy path is computed in the grader; the weights are
fixed so that every greedy choice wins by a clear margin, and the null symbol 0 has a high score
so that forgetting to mask it shows.
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, expect_close, expect_shape, grade, lab_module

K = lab_module(__file__, "tp3_checks")
F64 = torch.float64
VOCAB = 96


# --- OneHotLinear ------------------------------------------------------------------------------------------


def one_hot_layouts(shapes: dict, vocab: int, dim: int):
    """Readings of OneHotLinear's parameters as (W (dim, V), b (dim,) or None); [] when unknown."""
    weights = [n for n, s in shapes.items() if tuple(s) in ((dim, vocab), (vocab, dim))]
    biases = [n for n, s in shapes.items() if tuple(s) in ((dim,), (1, dim))]
    if len(weights) != 1 or len(biases) > 1 or len(shapes) != len(weights) + len(biases):
        return None
    name = weights[0]
    transposed = tuple(shapes[name]) == (vocab, dim)

    def canonical(p):
        W = p[name].T if transposed else p[name]
        return W, (p[biases[0]].reshape(-1) if biases else None)

    return canonical


@grade("Q4", points=0.75, timeout=20)
def test_one_hot_linear_equals_linear_on_one_hot(student, seed):
    """OneHotLinear(V, dim)(x) = W one_hot(x) + b with its own weights: a lookup of column x of W (plus b)."""
    g = torch.Generator().manual_seed(seed)
    dim = 7
    emb = student.new("OneHotLinear", VOCAB, dim)
    shapes = K.shapes_of(student, emb)
    if not shapes:
        raise Wrong("tp3_onehot_no_parameters")
    values = K.random_values(shapes, g, 1.0, dtype=torch.float32)
    student.set_parameters(emb, values)
    every = torch.arange(VOCAB).reshape(VOCAB, 1)
    x = torch.randint(1, 60, (5, 4), generator=g)
    results = student.call("@tp3_calls", emb, [["", [every], {}], ["", [x], {}]])
    table = K.ok(results[0], "OneHotLinear.forward")
    table = expect_shape(table, (VOCAB, 1, dim), "OneHotLinear.forward", "(L, B, dim)")[
        :, 0
    ].double()
    if "error" in results[1]:
        if results[1].get("not_implemented"):
            K.raise_student(results[1], "OneHotLinear.forward")
        raise Wrong("tp3_onehot_num_classes", vocab=VOCAB, error=results[1]["error"][:200])
    out = expect_shape(results[1]["ok"], (5, 4, dim), "OneHotLinear.forward", "(L, B, dim)")
    expect_close(
        out,
        table[x],
        "OneHotLinear.forward",
        what="plongements / embeddings (x vs. ids seuls / alone)",
        legend="(L, B, dim)",
        atol=1e-5,
    )
    canonical = one_hot_layouts(shapes, VOCAB, dim)
    if (
        canonical is None
    ):  # unknown layout: a non-constant lookup table is all a Linear on one-hot vectors can be
        if float((table - table.mean(0)).abs().max()) < 1e-6:
            raise Wrong("tp3_onehot_constant")
        return
    W, b = canonical({n: v.double() for n, v in values.items()})
    expected = W.T + (0 if b is None else b)
    if K.close(table, expected, 1e-5):
        return
    if K.close(table[1:], expected[:-1], 1e-5):
        raise Wrong("tp3_onehot_shifted")
    expect_close(
        table,
        expected,
        "OneHotLinear.forward",
        what="plongement de chaque id / embedding of each id",
        legend="(V, dim)",
        atol=1e-5,
    )


# --- generate_fixed ---------------------------------------------------------------------------------------


def language_probe(seed: int, null_score: float, spread: float = 1.0):
    """Weights of a stand-in character model: (A, R, B, c) for RNN(E, H, V) and the embedding table."""
    g = torch.Generator().manual_seed(seed)
    e, h = 6, 7
    A, R, Bm, c = K.probe_weights(g, e, h, VOCAB, scale=0.8)
    Bm = spread * 3 * Bm
    c[0] = null_score
    table = torch.randn(VOCAB, e, generator=g)
    return (A, R, Bm, c), table


def greedy(weights, table, codes, n, mask_null=True, margin=False):
    """The greedy continuation (ids) after reading ``codes`` from the zero state, computed here in float64."""
    A, R, Bm, c = (w.to(F64) for w in weights)
    table = table.to(F64)
    h = torch.zeros(A.shape[1], dtype=F64)
    for code in codes:
        h = h @ R + table[code] @ A
    out, gaps = [], []
    for _ in range(n):
        scores = h @ Bm + c
        if mask_null:
            scores[0] = -float("inf")
        top = torch.topk(scores, 2).values
        gaps.append(float(top[0] - top[1]))
        code = int(scores.argmax())
        out.append(code)
        h = h @ R + table[code] @ A
    return (out, min(gaps)) if margin else out


def as_text(value, code2string):
    """(text, from_ids): a str as it is; a list/tensor of ids (the text's codes) decoded here, else (None, False).

    Returning ids instead of a string costs test_generate_fixed_length only; the generation is graded through it.
    """
    if isinstance(value, str):
        return value, False
    if isinstance(value, torch.Tensor) and value.dim() == 1 and not value.is_floating_point():
        value = value.tolist()
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < VOCAB for v in value
    ):
        return code2string(list(value)), True
    return None, False


GREEDY_SEED = (
    4_207  # fixed: every greedy choice of these weights wins by more than 1e-3 (checked below)
)


@grade("Q4", points=0.5, timeout=30)
def test_generate_fixed_greedy_follows_the_model(student, reference):
    """Greedy generation: read start, then the argmax of decode at each step (null symbol masked), fed back."""
    string2code, code2string = reference["string2code"], reference["code2string"]
    weights, table = language_probe(GREEDY_SEED, null_score=6.0)
    emb = student.call("@tp3_probe_embedding", table)
    n = 15
    cases = []
    for start in ("", "The ", "ab c"):
        codes = string2code(start).tolist()
        path, gap = greedy(weights, table, codes, n, margin=True)
        if gap < 1e-3:
            raise RuntimeError(f"greedy margins too small ({gap:.2g}): choose another GREEDY_SEED")
        variants = {
            "tp3_generate_null_symbol": start
            + code2string(greedy(weights, table, codes, n, mask_null=False)),
            "tp3_generate_ignores_start": start + code2string(greedy(weights, table, [], n)),
            "tp3_generate_without_start": code2string(path),
        }
        cases.append((start, start + code2string(path), variants))
    errors = []
    for style in K.PROBE_STYLES:
        rnn = K.make_probe(student, weights, style)
        try:
            for start, expected, variants in cases:
                raw = student.call("generate_fixed", rnn, emb, start, n)
                first, from_ids = as_text(raw, code2string)
                if first is None:
                    raise Wrong("tp3_generate_not_str", got=describe(raw))
                if (
                    from_ids and first == variants["tp3_generate_without_start"]
                ):  # ids of the generated part only
                    first = start + first
                if first == expected:
                    second = as_text(
                        student.call("generate_fixed", rnn, emb, start, n), code2string
                    )[0]
                    if from_ids and second == variants["tp3_generate_without_start"]:
                        second = start + second
                    if second != first:
                        raise Wrong("tp3_generate_not_deterministic", start=start)
                    continue
                for key, variant in variants.items():
                    if first == variant:
                        raise Wrong(key, start=start, n=n, got=first[:40])
                if len(first) != len(start) + n:
                    raise Wrong(
                        "tp3_generate_length",
                        start=start,
                        n=n,
                        expected=len(start) + n,
                        got=len(first),
                    )
                index = next(
                    (i for i, (a, b) in enumerate(zip(first, expected)) if a != b), len(expected)
                )
                raise Wrong("tp3_generate_not_greedy", start=start, index=index)
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            errors.append(err)
    raise K.first_failure(errors)


@grade("Q4", points=0.25, timeout=30)
def test_generate_fixed_samples_from_the_softmax(student, reference):
    """sample=True draws each symbol from softmax(decode(h)) without the null symbol: frequencies agree."""
    string2code, code2string = reference["string2code"], reference["code2string"]
    g = torch.Generator().manual_seed(77)
    A, R, Bm, c = K.probe_weights(g, 6, 7, VOCAB)
    c[:] = -12.0
    favourites = string2code("etaoi").tolist()
    for code, score in zip(favourites, (1.0, 0.6, 0.2, -0.2, -0.6)):
        c[code] = score
    c[0] = 2.0  # an unmasked null symbol would be drawn often
    table = torch.randn(VOCAB, 6, generator=g)
    emb = student.call("@tp3_probe_embedding", table)
    probs = torch.softmax(c[1:].double(), dim=0)
    expected = {ch: float(probs[code - 1]) for ch, code in zip("etaoi", favourites)}
    draws = 400
    errors = []
    for style in K.PROBE_STYLES:
        rnn = K.make_probe(student, (A, R, Bm, c), style)
        try:
            results = student.call(
                "@tp3_repeat",
                student.get("generate_fixed"),
                [rnn, emb, "", 1],
                {"sample": True},
                draws,
            )
            raw = [K.ok(r, "generate_fixed") for r in results]
            texts = [as_text(t, code2string)[0] for t in raw]
            if any(t is None for t in texts):
                raise Wrong(
                    "tp3_generate_not_str",
                    got=describe(next(r for r, t in zip(raw, texts) if t is None)),
                )
            if any(len(t) != 1 for t in texts):
                if any(t == "" for t in texts):
                    raise Wrong("tp3_generate_null_symbol", start="", n=1, got="''")
                bad = next(t for t in texts if len(t) != 1)
                raise Wrong("tp3_generate_length", start="", n=1, expected=1, got=len(bad))
            counts = {ch: texts.count(ch) / draws for ch in expected}
            if len(set(texts)) == 1:
                raise Wrong("tp3_generate_not_sampling")
            distance = 0.5 * (
                sum(abs(counts[ch] - p) for ch, p in expected.items())
                + (1 - sum(counts.values()))
                + (1 - sum(expected.values()))
            )
            if distance > 0.12:
                raise Wrong("tp3_generate_sampling_distribution", distance=f"{distance:.2f}")
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            errors.append(err)
    raise K.first_failure(errors)
