"""Hidden tests of Q1 (score functions, masked attention weights) and Q2 (scaled dot-product attention).

Every expected value is computed here in float64 from the chapter's equations (and, for Q2, by
``torch.nn.functional.scaled_dot_product_attention`` itself), on random inputs with ``Hs ≠ Hh``,
``Lq ≠ Lk``, ``d_k ≠ d_v`` so that a transposition or a wrong axis shows. The usual look-alikes are
computed too and named when the student's values match one of them: W_a transposed, no tanh,
W_1/W_2 swapped; softmax over the batch, mask after the softmax, masked scores set to 0, inverted
mask; no 1/sqrt(d_k), 1/d_k, 1/sqrt(d_v), softmax over the queries. Gradients of every input are
compared with autograd through the formulas. Scores returned as (B, L) and a batch-first
``scaled_dot_product_attention`` are adapted here (the public shape tests charge for them).
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, expect_close, grade, lab_module

K = lab_module(__file__, "tp5_checks")
F64 = torch.float64
L, B, HS, HH, A = 5, 3, 4, 6, 7


def _inputs(g, same=False):
    s = torch.randn(B, HH if same else HS, generator=g, dtype=F64)
    h = torch.randn(L, B, HH, generator=g, dtype=F64)
    return s, h


def _scores(student, name, args):
    """The student's scores, brought to (L, B)."""
    got = student.call(name, *args)
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (B, L):
        got = got.T
    return got


SCORE_CASES = {
    "score_dot": ("s^T h", lambda g: (*_inputs(g, same=True),)),
    "score_general": (
        "s^T W_a h",
        lambda g: (*_inputs(g), torch.randn(HS, HH, generator=g, dtype=F64)),
    ),
    "score_additive": (
        "v_a^T tanh(W_1 s + W_2 h)",
        lambda g: (
            *_inputs(g),
            torch.randn(A, generator=g, dtype=F64),
            torch.randn(A, HS, generator=g, dtype=F64),
            torch.randn(A, HH, generator=g, dtype=F64),
        ),
    ),
}
FORMULAS = {
    "score_dot": K.score_dot,
    "score_general": K.score_general,
    "score_additive": K.score_additive,
}


def _check_score(student, name, g):
    formula, make = SCORE_CASES[name]
    for _ in range(2):
        args = make(g)
        got = _scores(student, name, args)
        expected = FORMULAS[name](*args)
        if K.close(got, expected, 1e-9, 1e-7):
            continue
        for key, variant in K.SCORE_VARIANTS.get(name, {}).items():
            other = variant(*args)
            if other is not None and K.close(got, other, 1e-9, 1e-7):
                raise Wrong(key)
        expect_close(
            got,
            expected,
            f"{name}({', '.join(describe(a) for a in args)})",
            legend="(L, B)",
            atol=1e-9,
            rtol=1e-7,
        )


@grade("Q1", points=0.25)
def test_score_dot(student, seed):
    """e[i, b] = <s[b], h[i, b]> on random float64 inputs."""
    _check_score(student, "score_dot", torch.Generator().manual_seed(seed))


@grade("Q1", points=0.25)
def test_score_general(student, seed):
    """e[i, b] = s[b]^T W_a h[i, b] with Hs ≠ Hh (a transposed W_a named)."""
    _check_score(student, "score_general", torch.Generator().manual_seed(seed))


@grade("Q1", points=0.5)
def test_score_additive(student, seed):
    """e[i, b] = v_a^T tanh(W_1 s[b] + W_2 h[i, b]) (no tanh, swapped W_1/W_2 named)."""
    _check_score(student, "score_additive", torch.Generator().manual_seed(seed))


@grade("Q1", points=0.5)
def test_attention_weights_masks(student, seed):
    """Several masks (one real position, all real, None), float64: softmax over the positions, masked
    weights exactly 0."""
    g = torch.Generator().manual_seed(seed)
    for lengths in ([5, 1, 3], [5, 5, 5], [2, 4, 5], None):
        scores = 3 * torch.randn(L, B, generator=g, dtype=F64)
        if lengths is None:
            mask = None
        else:
            mask = torch.arange(L)[:, None] < torch.tensor(lengths)[None]
        got = student.call("attention_weights", scores, mask)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (B, L):
            got = got.T
        expected = K.masked_softmax(scores, mask)
        if K.close(got, expected, 1e-9, 1e-7) and (
            mask is None or not bool((got.to(F64) * ~mask).abs().gt(0).any())
        ):
            continue
        key = K.weights_variant(scores, mask, got) if isinstance(got, torch.Tensor) else None
        if key:
            raise Wrong(key, function="attention_weights")
        if mask is not None and isinstance(got, torch.Tensor) and got.shape == mask.shape:
            leak = (got.to(F64) * ~mask).abs()
            if bool((leak > 0).any()):
                position, example = (int(i) for i in (leak > 0).nonzero()[0])
                raise Wrong(
                    "tp5_weights_masked_not_zero",
                    function="attention_weights",
                    got=f"{float(got[position, example]):.3g}",
                    example=example,
                    position=position,
                )
        expect_close(
            got,
            expected,
            f"attention_weights(scores {(L, B)}, mask)",
            legend="(L, B)",
            atol=1e-9,
            rtol=1e-7,
        )


@grade("Q1", points=0.5, timeout=20)
def test_scores_and_weights_gradients(student, seed):
    """Gradients of every input of the three scores and of attention_weights, against autograd."""
    g = torch.Generator().manual_seed(seed)
    for name, (_, make) in SCORE_CASES.items():
        args = list(make(g))
        _compare_gradients(student, name, args, FORMULAS[name], g)
    scores = torch.randn(L, B, generator=g, dtype=F64)
    mask = torch.arange(L)[:, None] < torch.tensor([5, 2, 4])[None]
    _compare_gradients(
        student,
        "attention_weights",
        [scores, mask],
        lambda sc, m: K.masked_softmax(sc, m),
        g,
        indices=[0],
    )


_LABELS = {
    "score_dot": ["s", "h"],
    "score_general": ["s", "h", "W_a"],
    "score_additive": ["s", "h", "v_a", "W_1", "W_2"],
    "attention_weights": ["scores"],
}


def _compare_gradients(student, name, args, formula, g, indices=None):
    indices = list(range(len(args))) if indices is None else indices
    expected_out = formula(*args)
    grad_output = torch.randn(expected_out.shape, generator=g, dtype=F64)
    probe = student.call(name, *args)
    transposed = isinstance(probe, torch.Tensor) and tuple(probe.shape) == (B, L)
    given = grad_output.T.contiguous() if transposed else grad_output  # scores returned as (B, L)
    labels = _LABELS[name]
    if not student.call("@tp5_output_requires_grad", student.get(name), args, indices):
        raise Wrong("tp5_no_gradient", function=name, what=", ".join(labels[i] for i in indices))
    result = student.call("@forward_backward", student.get(name), args, indices, given)
    leaves = [a.clone().requires_grad_(True) if i in indices else a for i, a in enumerate(args)]
    formula(*leaves).backward(grad_output)
    for i in indices:
        got = result["grads"][str(i)]
        want = leaves[i].grad
        if got is None or not bool((got != 0).any()):
            raise Wrong("tp5_no_gradient", function=name, what=labels[i])
        if not K.close(got, want, 1e-8, 1e-6):
            raise Wrong(
                "tp5_gradient_values",
                function=name,
                what=labels[i],
                worst=f"{K.worst(got, want):.3g}",
            )


# --- Q2 ---------------------------------------------------------------------------------------------------

SDPA = "scaled_dot_product_attention"


def _forbidden(student, args):
    """Wrong when the function calls torch's own attention (called sequence-first, else batch-first)."""
    batch_first = [a.transpose(0, 1).contiguous() for a in args[:3]] + list(args[3:])
    for attempt in (list(args), batch_first):
        try:
            seen = student.call("@tp5_watch", student.get(SDPA), attempt)["seen"]
        except StudentError:
            continue
        if "F.scaled_dot_product_attention" in seen:
            raise Wrong("tp5_sdpa_uses_torch", what="F.scaled_dot_product_attention")
        return


def _sdpa_cases(g):
    """(Q, K, V, mask, label) cases: no mask, padding (B, 1, Lk), causal (Lq, Lk), full (B, Lq, Lk)."""
    Lq, Lk, b, dk, dv = 4, 6, 3, 5, 2
    out = []
    for label in ("no mask", "padding mask (B, 1, Lk)", "causal mask (Lq, Lk)", "mask (B, Lq, Lk)"):
        Q = 2 * torch.randn(Lq, b, dk, generator=g, dtype=F64)
        Km = 2 * torch.randn(Lk, b, dk, generator=g, dtype=F64)
        V = torch.randn(Lk, b, dv, generator=g, dtype=F64)
        if label == "no mask":
            mask = None
        elif label.startswith("padding"):
            mask = (torch.arange(Lk)[None, None] < torch.tensor([6, 2, 4])[:, None, None]).expand(
                b, 1, Lk
            )
        elif label.startswith("causal"):
            mask = torch.ones(Lq, Lk, dtype=torch.bool).tril(2)
        else:
            mask = torch.rand(b, Lq, Lk, generator=g) < 0.6
            mask[..., 0] = True
        out.append((Q, Km, V, mask, label))
    return out


@grade("Q2", points=0.5, timeout=20)
def test_sdpa_output_matches_torch(student, seed):
    """The output equals torch.nn.functional.scaled_dot_product_attention on four mask cases; the usual
    mistakes named; using torch's function earns nothing."""
    g = torch.Generator().manual_seed(seed)
    cases = _sdpa_cases(g)
    _forbidden(student, list(cases[2][:4]))
    for Q, Km, V, mask, label in cases:
        call = K.call_sdpa(student, Q, Km, V, mask)
        expected = K.torch_sdpa(Q, Km, V, mask)
        if K.close(call.output, expected, 1e-9, 1e-7):
            continue
        for variant, key in K.SDPA_VARIANTS.items():
            if mask is None and variant.startswith("mask"):
                continue
            if K.close(call.output, K.sdpa(Q, Km, V, mask, variant)[0], 1e-9, 1e-7):
                raise Wrong(key, function=SDPA)
        if call.output is None:
            raise Wrong("tp5_sdpa_one_output", got=describe(call.raw))
        raise Wrong(
            "tp5_sdpa_values",
            function=SDPA,
            what="output",
            case=label,
            worst=f"{K.worst(call.output, expected):.3g}",
        )


@grade("Q2", points=0.25, timeout=20)
def test_sdpa_weights(student, seed):
    """The weights (B, Lq, Lk): softmax(Q K^T / sqrt(d_k)) with masked entries exactly 0, rows summing to 1."""
    g = torch.Generator().manual_seed(seed)
    for Q, Km, V, mask, label in _sdpa_cases(g):
        call = K.call_sdpa(student, Q, Km, V, mask)
        if call.weights is None:
            raw = call.raw
            weights = raw[1] if isinstance(raw, (tuple, list)) and len(raw) > 1 else None
            raise Wrong(
                "tp5_sdpa_weights_shape",
                q=tuple(Q.shape),
                k=tuple(Km.shape),
                v=tuple(V.shape),
                got=describe(weights) if weights is not None else describe(raw),
                expected=(Q.shape[1], Q.shape[0], Km.shape[0]),
            )
        expected = K.sdpa(Q, Km, V, mask)[1]
        if K.close(call.weights, expected, 1e-9, 1e-7):
            continue
        for variant, key in K.SDPA_VARIANTS.items():
            if mask is None and variant.startswith("mask"):
                continue
            if K.close(call.weights, K.sdpa(Q, Km, V, mask, variant)[1], 1e-9, 1e-7):
                raise Wrong(key, function=SDPA)
        raise Wrong(
            "tp5_sdpa_values",
            function=SDPA,
            what="weights",
            case=label,
            worst=f"{K.worst(call.weights, expected):.3g}",
        )


@grade("Q2", points=0.25, timeout=20)
def test_sdpa_gradients(student, seed):
    """Gradients with respect to Q, K and V (with a padding mask) against autograd through torch's function."""
    g = torch.Generator().manual_seed(seed)
    Q, Km, V, mask, _ = _sdpa_cases(g)[1]
    probe = K.call_sdpa(student, Q, Km, V, mask)
    batch_first = probe.convention == "batch_first"
    args = [Q, Km, V]
    if batch_first:
        args = [a.transpose(0, 1).contiguous() for a in args]
    grad_output = torch.randn(
        (V.shape[1], Q.shape[0], V.shape[2])
        if batch_first
        else (Q.shape[0], V.shape[1], V.shape[2]),
        generator=g,
        dtype=F64,
    )
    result = student.call(
        "@forward_backward", student.get(SDPA), args + [mask], [0, 1, 2], grad_output
    )
    leaves = [a.clone().requires_grad_(True) for a in (Q, Km, V)]
    out = K.torch_sdpa(*leaves, mask)
    out.backward(grad_output.transpose(0, 1) if batch_first else grad_output)
    for i, label in enumerate(("Q", "K", "V")):
        got = result["grads"][str(i)]
        if got is None or not bool((got != 0).any()):
            raise Wrong("tp5_no_gradient", function=SDPA, what=label)
        if batch_first:
            got = got.transpose(0, 1)
        if not K.close(got, leaves[i].grad, 1e-8, 1e-6):
            raise Wrong(
                "tp5_gradient_values",
                function=SDPA,
                what=label,
                worst=f"{K.worst(got, leaves[i].grad):.3g}",
            )
