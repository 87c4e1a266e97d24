"""Hidden tests of Q3, ``MultiHeadAttention(embed_dim, num_heads)`` written by hand.

The layout of the parameters is free (one fused E → 3E projection or three E → E ones, ``nn.Linear``
or raw tensors stored for ``x @ W``, heads split head-major or dimension-major). The grader pins
the student's parameters to random values, reads them as torch's ``in_proj_weight``, ``in_proj_bias``,
``out_proj`` (``tp5_checks.mha_readings``: every reading the shapes and names allow) and keeps the
reading under which ``F.multi_head_attention_forward`` — torch's own multi-head attention — gives
the student's output and averaged weights in float64. When none does, the usual look-alikes (no
scaling, sqrt(E) instead of sqrt(E/h), heads merged without moving them back, weights summed or of
one head) are tried under every reading and named. Gradients of the three inputs and of every
parameter (through the reading, so in the student's own layout) are compared with autograd.

A class that holds an ``nn.MultiheadAttention`` or calls ``F.multi_head_attention_forward`` earns
nothing on the question: every test of Q3 checks it first.
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, grade, lab_module

K = lab_module(__file__, "tp5_checks")
PUBLIC = lab_module(__file__, "test_public")  # the model builder, shared
F64 = torch.float64
E, HEADS = 6, 2  # head size 3: E, 3E, E/h all differ
LQ, LK, B = 4, 5, 3


def _model(student):
    return PUBLIC.mha_model(student, E, HEADS)


def _run(student, model, q, k, v, mask):
    """The student's (output (Lq, B, E), weights (B, Lq, Lk)), batch-first adapted; torch use refused."""
    args = [q, k, v] + ([mask] if mask is not None else [])
    try:
        got, error = student.call("@tp5_watch", model, args), None
    except StudentError as err:  # maybe batch-first: tried below, re-raised if that fails too
        got, error = {"seen": [], "result": None}, err
    if "F.multi_head_attention_forward" in got["seen"]:
        raise Wrong("tp5_mha_wraps_torch", what="F.multi_head_attention_forward")
    out, weights = _split(got["result"])
    Lq, b = q.shape[:2]
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (Lq, b, E):
        return out, K._weights(weights, b, Lq, k.shape[0])
    bf = [t.transpose(0, 1).contiguous() for t in (q, k, v)]
    try:
        other = student.call("@tp5_watch", model, bf + ([mask] if mask is not None else []))
    except StudentError:
        if error is not None:
            raise error from None
        return out, None
    if "F.multi_head_attention_forward" in other["seen"]:
        raise Wrong("tp5_mha_wraps_torch", what="F.multi_head_attention_forward")
    out_bf, weights_bf = _split(other["result"])
    if isinstance(out_bf, torch.Tensor) and tuple(out_bf.shape) == (b, Lq, E):
        return out_bf.transpose(0, 1), K._weights(weights_bf, b, Lq, k.shape[0])
    if error is not None:
        raise error
    return out, K._weights(weights, b, Lq, k.shape[0])


def _split(got):
    if isinstance(got, (tuple, list)) and len(got) >= 2:
        return got[0], got[1]
    return got, None


def _inputs(g):
    q = torch.randn(LQ, B, E, generator=g, dtype=F64)
    k = torch.randn(LK, B, E, generator=g, dtype=F64)
    v = torch.randn(LK, B, E, generator=g, dtype=F64)
    return q, k, v


def _padding_mask():
    return (torch.arange(LK)[None, None] < torch.tensor([5, 2, 4])[:, None, None]).expand(B, 1, LK)


def _identify(student, model, g, mask):
    """(reading, values, outputs) for the student's model in float64, or Wrong naming what is off."""
    shapes = {n: tuple(p.shape) for n, p in student.parameters(model).items()}
    try:
        readings = K.mha_readings(shapes, E, heads=HEADS)
    except K.NoLayout as no:
        raise Wrong("tp5_mha_layout_unknown", E=E, heads=HEADS, shapes=no.detail) from None
    if not readings:
        shown = ", ".join(f"{n} {s}" for n, s in shapes.items())
        raise Wrong("tp5_mha_layout_unknown", E=E, heads=HEADS, shapes=shown)
    student.call("@to_dtype", model, "float64")
    values = {n: 0.5 * torch.randn(s, generator=g, dtype=F64) for n, s in shapes.items()}
    student.set_parameters(model, values)
    q, k, v = _inputs(g)
    out, weights = _run(student, model, q, k, v, mask)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (LQ, B, E):
        raise Wrong(
            "tp5_mha_shape",
            call=f"MultiHeadAttention({E}, {HEADS})(query {(LQ, B, E)}, key {(LK, B, E)}, value {(LK, B, E)})",
            got=repr(tuple(out.shape)) if isinstance(out, torch.Tensor) else type(out).__name__,
            expected_out=(LQ, B, E),
            expected_w=(B, LQ, LK),
        )
    for reading in readings:
        p = reading.canonical(values, E, HEADS)
        expected, _ = K.mha_torch(q, k, v, mask, p, HEADS)
        if K.close(out, expected, 1e-9, 1e-7):
            missing = [u for u in ("q", "k", "v", "o") if not reading.reading.has_bias(u)]
            if missing:
                names = {"q": "W_q", "k": "W_k", "v": "W_v", "o": "W_o"}
                raise Wrong("tp5_mha_no_bias", which=", ".join(names[r] for r in missing))
            return reading, values, (q, k, v, out, weights)
    case = "with a padding mask" if mask is not None else "no mask"
    for variant, key in K.MHA_VARIANTS.items():
        if variant in ("sum_heads", "first_head"):
            continue
        for reading in readings[:512]:
            p = reading.canonical(values, E, HEADS)
            if K.close(out, K.mha_variant(q, k, v, mask, p, HEADS, variant)[0], 1e-9, 1e-7):
                raise Wrong(key)
    best = min(
        K.worst(out, K.mha_torch(q, k, v, mask, r.canonical(values, E, HEADS), HEADS)[0])
        for r in readings[:512]
    )
    raise Wrong("tp5_mha_values", E=E, heads=HEADS, case=case, worst=f"{best:.3g}", what="output")


def _check_weights(reading, values, found, mask):
    q, k, v, out, weights = found
    p = reading.canonical(values, E, HEADS)
    _, expected = K.mha_torch(q, k, v, mask, p, HEADS)
    if weights is None:
        raise Wrong(
            "tp5_mha_shape",
            call=f"MultiHeadAttention({E}, {HEADS})(query, key, value)",
            got="weights ?",
            expected_out=(LQ, B, E),
            expected_w=(B, LQ, LK),
        )
    if K.close(weights, expected, 1e-9, 1e-7):
        return
    for variant in ("sum_heads", "first_head"):
        if K.close(weights, K.mha_variant(q, k, v, mask, p, HEADS, variant)[1], 1e-9, 1e-7):
            raise Wrong("tp5_mha_weights_not_averaged")
    raise Wrong(
        "tp5_mha_values",
        E=E,
        heads=HEADS,
        case="with a padding mask" if mask is not None else "no mask",
        worst=f"{K.worst(weights, expected):.3g}",
        what="weights",
    )


@grade("Q3", points=0.5, timeout=30)
def test_mha_matches_torch(student, seed):
    """Parameters copied into torch's multi-head attention (any layout): same output and averaged
    weights, float64, cross-attention with Lq ≠ Lk, no mask."""
    g = torch.Generator().manual_seed(seed)
    model = _model(student)
    reading, values, found = _identify(student, model, g, None)
    _check_weights(reading, values, found, None)


@grade("Q3", points=0.75, timeout=30)
def test_mha_matches_torch_with_masks(student, seed):
    """Same comparison with a padding mask (B, 1, Lk) and a causal mask (Lq, Lk)."""
    g = torch.Generator().manual_seed(seed)
    model = _model(student)
    mask = _padding_mask()
    reading, values, found = _identify(student, model, g, mask)
    _check_weights(reading, values, found, mask)
    causal = torch.ones(LQ, LK, dtype=torch.bool).tril(1)
    q, k, v = _inputs(g)
    out, weights = _run(student, model, q, k, v, causal)
    p = reading.canonical(values, E, HEADS)
    expected, expected_w = K.mha_torch(q, k, v, causal, p, HEADS)
    for got, want, what in ((out, expected, "output"), (weights, expected_w, "weights")):
        if not K.close(got, want, 1e-9, 1e-7):
            raise Wrong(
                "tp5_mha_values",
                E=E,
                heads=HEADS,
                case="causal mask (Lq, Lk)",
                worst=f"{K.worst(got, want):.3g}" if got is not None else "?",
                what=what,
            )


@grade("Q3", points=0.75, timeout=30)
def test_mha_gradients(student, seed):
    """Gradients of query, key, value and of every parameter (in the student's layout) against autograd
    through torch's multi-head attention with the identified reading."""
    g = torch.Generator().manual_seed(seed)
    model = _model(student)
    mask = _padding_mask()
    reading, values, found = _identify(student, model, g, mask)
    q, k, v = found[:3]
    grad_output = torch.randn(LQ, B, E, generator=g, dtype=F64)
    try:
        result = student.call(
            "@forward_backward", model, [q, k, v, mask], [0, 1, 2], grad_output, module=model
        )
    except StudentError:  # batch-first (see _run): the same call with the batch first
        bf = [t.transpose(0, 1).contiguous() for t in (q, k, v, grad_output)]
        result = student.call(
            "@forward_backward", model, [*bf[:3], mask], [0, 1, 2], bf[3], module=model
        )
        result["grads"] = {
            i: None if g is None else g.transpose(0, 1) for i, g in result["grads"].items()
        }
    leaves = {n: t.clone().requires_grad_(True) for n, t in values.items()}
    inputs = [t.clone().requires_grad_(True) for t in (q, k, v)]
    out, _ = K.mha_torch(*inputs, mask, reading.canonical(leaves, E, HEADS), HEADS)
    out.backward(grad_output)
    for i, label in enumerate(("query", "key", "value")):
        got = result["grads"][str(i)]
        if got is None or not bool((got != 0).any()):
            raise Wrong("tp5_no_gradient", function="MultiHeadAttention", what=label)
        if not K.close(got, inputs[i].grad, 1e-8, 1e-6):
            raise Wrong(
                "tp5_gradient_values",
                function="MultiHeadAttention",
                what=label,
                worst=f"{K.worst(got, inputs[i].grad):.3g}",
            )
    for name, leaf in leaves.items():
        got = result["param_grads"].get(name)
        want = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
        if got is None:
            got = torch.zeros_like(want)
        if not K.close(got, want, 1e-8, 1e-6):
            what = name if bool((got != 0).any()) else name
            key = "tp5_no_gradient" if not bool((got != 0).any()) else "tp5_gradient_values"
            params = {"function": "MultiHeadAttention", "what": what}
            if key == "tp5_gradient_values":
                params["worst"] = f"{K.worst(got, want):.3g}"
            raise Wrong(key, **params)
