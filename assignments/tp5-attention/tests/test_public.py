"""Public tests of tp5-attention: shipped to students (``check("Q2")``), at least one per graded question.

They check the documented shapes and, on small random cases computed here, the formulas of the
score functions, the masked softmax, scaled dot-product attention against torch's own function
(with the usual mistakes named), the behaviour of multi-head attention (masking, one attention per
query, order of the key/value pairs), the bidirectional GRU against ``nn.GRU`` when its two cells
read simply, the decoder's attention weights and temperature sampling at the extremes. The hidden
tests check more sizes, any parameter layout, gradients and learning. Self-contained on purpose:
only the engine's ``testing`` module is imported (``autograder`` in the kit, ``rnnkit`` in a
student folder).
"""

import importlib
import math
import sys

import torch
import torch.nn.functional as F

_ENGINE = "rnnkit" if "rnnkit.run" in sys.modules else "autograder"
_testing = importlib.import_module(f"{_ENGINE}.testing")
grade, Wrong, describe = _testing.grade, _testing.Wrong, _testing.describe
expect_shape, expect_close = _testing.expect_shape, _testing.expect_close

F64 = torch.float64
PAD, BOS, EOS, VOCAB = 0, 1, 2, 13


def _close(a, b, atol=1e-8):
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and bool(torch.isfinite(a).all())
        and bool(((a.to(F64) - b.to(F64)).abs() <= atol + 1e-6 * b.abs()).all())
    )


def _pair(value, call, legend):
    if isinstance(value, (tuple, list)) and len(value) >= 2:
        return value[0], value[1]
    raise Wrong("tp5_s2s_output", call=call, got=describe(value))


# --- Q1 ---------------------------------------------------------------------------------------------------


@grade("Q1", points=0.5, visibility="public")
def test_scores_small_example(student):
    """The three scores on L=4, B=3, Hs=5, Hh=6 (A=7): shape (L, B) and the course's formulas (float64)."""
    g = torch.Generator().manual_seed(11)
    L, B, Hs, Hh, A = 4, 3, 5, 6, 7
    s, h = torch.randn(B, Hs, generator=g, dtype=F64), torch.randn(L, B, Hh, generator=g, dtype=F64)
    s_same = torch.randn(B, Hh, generator=g, dtype=F64)
    W_a = torch.randn(Hs, Hh, generator=g, dtype=F64)
    v_a = torch.randn(A, generator=g, dtype=F64)
    W_1, W_2 = (
        torch.randn(A, Hs, generator=g, dtype=F64),
        torch.randn(A, Hh, generator=g, dtype=F64),
    )
    cases = [
        ("score_dot", (s_same, h), torch.einsum("bd,lbd->lb", s_same, h), "s^T h"),
        ("score_general", (s, h, W_a), torch.einsum("bi,ij,lbj->lb", s, W_a, h), "s^T W_a h"),
        (
            "score_additive",
            (s, h, v_a, W_1, W_2),
            torch.tanh((s @ W_1.T)[None] + h @ W_2.T) @ v_a,
            "v_a^T tanh(W_1 s + W_2 h)",
        ),
    ]
    for name, args, expected, formula in cases:
        got = student.call(name, *args)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (B, L):
            raise Wrong("tp5_scores_transposed", function=name, got=describe(got), expected=(L, B))
        expect_shape(
            got,
            (L, B),
            f"{name}(s {tuple(args[0].shape)}, h {(L, B, args[1].shape[-1])}, ...)",
            "(L, B)",
        )
        if not _close(got, expected, 1e-9):
            worst = float((got.to(F64) - expected).abs().max())
            raise Wrong("tp5_formula", function=name, formula=formula, worst=f"{worst:.3g}")


@grade("Q1", points=0.5, visibility="public")
def test_attention_weights_with_padding(student):
    """Softmax over the positions (dimension 0), padding weights exactly 0, each example summing to 1."""
    g = torch.Generator().manual_seed(12)
    L, B = 5, 3
    scores = 2 * torch.randn(L, B, generator=g, dtype=F64)
    mask = torch.ones(L, B, dtype=torch.bool)
    mask[3:, 1] = False
    mask[1:, 2] = False
    got = student.call("attention_weights", scores, mask)
    expect_shape(got, (L, B), f"attention_weights(scores {(L, B)}, mask {(L, B)})", "(L, B)")
    expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
    if _close(got, expected, 1e-9) and not bool((got.to(F64) * ~mask).abs().gt(0).any()):
        none = student.call("attention_weights", scores, None)
        expect_close(
            none, torch.softmax(scores, dim=0), "attention_weights(scores, None)", atol=1e-9
        )
        return
    fn = "attention_weights"
    if _close(got, torch.softmax(scores, dim=0) * mask):
        raise Wrong("tp5_weights_mask_after_softmax", function=fn)
    if _close(got, torch.softmax(scores.masked_fill(~mask, 0.0), dim=0)):
        raise Wrong("tp5_weights_mask_zero", function=fn)
    if _close(got, torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)):
        raise Wrong("tp5_weights_wrong_axis", function=fn)
    inverted = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=0)
    finite = torch.isfinite(inverted)  # example 0 has no padding: all masked, NaN
    if (
        isinstance(got, torch.Tensor)
        and got.shape == inverted.shape
        and bool((torch.isfinite(got) == finite).all())
        and _close(got[finite], inverted[finite])
    ):
        raise Wrong("tp5_weights_mask_inverted", function=fn)
    masked = (got.to(F64) * ~mask).abs()
    if bool((masked > 0).any()):
        position, example = (int(i) for i in (masked > 0).nonzero()[0])
        raise Wrong(
            "tp5_weights_masked_not_zero",
            function=fn,
            got=f"{float(got[position, example]):.3g}",
            example=example,
            position=position,
        )
    expect_close(got, expected, f"attention_weights(scores {(L, B)}, mask {(L, B)})", atol=1e-9)


# --- Q2 ---------------------------------------------------------------------------------------------------


def _sdpa_variants(Q, K, V, mask):
    """The usual look-alikes, sequence-first, weights (B, Lq, Lk)."""
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    raw = q @ k.transpose(-2, -1)
    d_k = Q.shape[-1]
    m = mask.expand(raw.shape)
    out = {}
    for key, scores, dim, after in (
        ("tp5_sdpa_no_scale", raw.masked_fill(~m, float("-inf")), -1, False),
        ("tp5_sdpa_scale_dk", (raw / d_k).masked_fill(~m, float("-inf")), -1, False),
        ("tp5_sdpa_softmax_axis", (raw / math.sqrt(d_k)).masked_fill(~m, float("-inf")), -2, False),
        ("tp5_sdpa_mask_after_softmax", raw / math.sqrt(d_k), -1, True),
        ("tp5_sdpa_mask_zero", (raw / math.sqrt(d_k)).masked_fill(~m, 0.0), -1, False),
        ("tp5_sdpa_mask_inverted", (raw / math.sqrt(d_k)).masked_fill(m, float("-inf")), -1, False),
    ):
        w = torch.softmax(scores, dim=dim)
        if after:
            w = w * m
        out[key] = ((w @ v).transpose(0, 1), w)
    return out


@grade("Q2", points=1, visibility="public")
def test_sdpa_against_torch(student):
    """Lq=3, Lk=5, B=2, d_k=4, d_v=6 with a causal mask: (output, weights) against
    torch.nn.functional.scaled_dot_product_attention; the usual mistakes named."""
    g = torch.Generator().manual_seed(21)
    Lq, Lk, B, dk, dv = 3, 5, 2, 4, 6
    Q = 2 * torch.randn(Lq, B, dk, generator=g, dtype=F64)
    K = 2 * torch.randn(Lk, B, dk, generator=g, dtype=F64)
    V = torch.randn(Lk, B, dv, generator=g, dtype=F64)
    mask = torch.ones(Lq, Lk, dtype=torch.bool).tril(1)
    call = f"scaled_dot_product_attention(Q {(Lq, B, dk)}, K {(Lk, B, dk)}, V {(Lk, B, dv)}, mask {(Lq, Lk)})"
    got = student.call("scaled_dot_product_attention", Q, K, V, mask)
    if not (isinstance(got, (tuple, list)) and len(got) >= 2):
        raise Wrong("tp5_sdpa_one_output", got=describe(got))
    out, weights = got[0], got[1]
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (B, Lq, dv):
        raise Wrong(
            "tp5_batch_first",
            function="scaled_dot_product_attention",
            given="(L, B, d)",
            got=describe(out),
            expected=(Lq, B, dv),
        )
    expect_shape(out, (Lq, B, dv), call, "output (Lq, B, d_v)")
    if not isinstance(weights, torch.Tensor) or tuple(weights.shape) != (B, Lq, Lk):
        raise Wrong(
            "tp5_sdpa_weights_shape",
            q=(Lq, B, dk),
            k=(Lk, B, dk),
            v=(Lk, B, dv),
            got=describe(weights),
            expected=(B, Lq, Lk),
        )
    expected = F.scaled_dot_product_attention(
        Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1), attn_mask=mask
    ).transpose(0, 1)
    if _close(out, expected, 1e-9):
        w_expected = torch.softmax(
            (Q.transpose(0, 1) @ K.transpose(0, 1).transpose(-2, -1) / math.sqrt(dk)).masked_fill(
                ~mask, float("-inf")
            ),
            dim=-1,
        )
        expect_close(weights, w_expected, call, what="weights", atol=1e-9)
        return
    for key, (v_out, _v_w) in _sdpa_variants(Q, K, V, mask).items():
        if _close(out, v_out, 1e-9):
            raise Wrong(key, function="scaled_dot_product_attention")
    expect_close(out, expected, call, what="output", atol=1e-9)


# --- Q3 ---------------------------------------------------------------------------------------------------

E3, HEADS3 = 6, 2


def mha_model(student, dim: int | None = None, heads: int | None = None):
    """The student's MultiHeadAttention(dim, heads) (E3, HEADS3 by default), built the way its
    constructor asks; one that holds an ``nn.MultiheadAttention`` is refused (shared with the hidden
    tests)."""
    model = student.call(
        "@tp5_construct",
        student.get("MultiHeadAttention"),
        {"dim": dim or E3, "output": heads or HEADS3},
        "mha",
        keep=True,
    )
    for path, name in student.call("@tp5_modules_of", model):
        if name == "MultiheadAttention":
            raise Wrong("tp5_mha_wraps_torch", what=f"nn.MultiheadAttention ({path})")
    return model


def _mha_call(student, model, q, k, v, mask=None):
    args = [q, k, v] + ([mask] if mask is not None else [])
    got = student.call("@tp5_watch", model, args)
    if "F.multi_head_attention_forward" in got["seen"]:
        raise Wrong("tp5_mha_wraps_torch", what="F.multi_head_attention_forward")
    return got["result"]


@grade("Q3", points=0.5, visibility="public")
def test_mha_shapes(student):
    """MultiHeadAttention(6, 2) on query (4, 3, 6), key/value (5, 3, 6): output (4, 3, 6), averaged
    weights (3, 4, 5) whose rows sum to 1."""
    g = torch.Generator().manual_seed(31)
    Lq, Lk, B = 4, 5, 3
    model = mha_model(student)
    q, kv = torch.randn(Lq, B, E3, generator=g), torch.randn(Lk, B, E3, generator=g)
    got = _mha_call(student, model, q, kv, kv)
    call = f"MultiHeadAttention({E3}, {HEADS3})(query {(Lq, B, E3)}, key {(Lk, B, E3)}, value {(Lk, B, E3)})"
    if not (isinstance(got, (tuple, list)) and len(got) >= 2):
        raise Wrong(
            "tp5_mha_shape",
            call=call,
            got=describe(got),
            expected_out=(Lq, B, E3),
            expected_w=(B, Lq, Lk),
        )
    out, weights = got[0], got[1]
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (B, Lq, E3):
        raise Wrong(
            "tp5_batch_first",
            function="MultiHeadAttention",
            given="(L, B, E)",
            got=describe(out),
            expected=(Lq, B, E3),
        )
    if not (
        isinstance(out, torch.Tensor)
        and tuple(out.shape) == (Lq, B, E3)
        and isinstance(weights, torch.Tensor)
        and tuple(weights.shape) == (B, Lq, Lk)
    ):
        raise Wrong(
            "tp5_mha_shape",
            call=call,
            got=f"({describe(out)}, {describe(weights)})",
            expected_out=(Lq, B, E3),
            expected_w=(B, Lq, Lk),
        )
    if not _close(weights.sum(-1).to(F64), torch.ones(B, Lq, dtype=F64), 1e-5):
        raise Wrong("tp5_mha_weights_not_averaged")


@grade("Q3", points=0.5, visibility="public")
def test_mha_behaviour(student):
    """A masked key/value has no influence, each query its own attention, key/value pairs in any order."""
    g = torch.Generator().manual_seed(32)
    Lq, Lk, B = 4, 5, 3
    model = mha_model(student)
    student.call("@to_dtype", model, "float64")
    q = torch.randn(Lq, B, E3, generator=g, dtype=F64)
    k, v = (
        torch.randn(Lk, B, E3, generator=g, dtype=F64),
        torch.randn(Lk, B, E3, generator=g, dtype=F64),
    )
    mask = torch.ones(B, 1, Lk, dtype=torch.bool)
    mask[:, :, -1] = False
    call = f"MultiHeadAttention({E3}, {HEADS3})(query, key, value, mask {(B, 1, Lk)})"
    base = _mha_call(student, model, q, k, v, mask)[0]
    k2, v2 = k.clone(), v.clone()
    k2[-1], v2[-1] = (
        5 * torch.randn(B, E3, generator=g, dtype=F64),
        5 * torch.randn(B, E3, generator=g, dtype=F64),
    )
    moved = _mha_call(student, model, q, k2, v2, mask)[0]
    if not _close(moved, base, 1e-7):
        raise Wrong(
            "tp5_mha_mask_leak", call=call, worst=f"{float((moved - base).abs().max()):.3g}"
        )
    q2 = q.clone()
    q2[0] = 3 * torch.randn(B, E3, generator=g, dtype=F64)
    other = _mha_call(student, model, q2, k, v, mask)[0]
    if not _close(other[1:], base[1:], 1e-7):
        raise Wrong(
            "tp5_mha_query_leak",
            call=call,
            position=0,
            worst=f"{float((other[1:] - base[1:]).abs().max()):.3g}",
        )
    perm = torch.tensor([2, 0, 1, 3, 4])
    shuffled = _mha_call(student, model, q, k[perm], v[perm], mask[:, :, perm])[0]
    if not _close(shuffled, base, 1e-7):
        raise Wrong(
            "tp5_mha_key_order", call=call, worst=f"{float((shuffled - base).abs().max()):.3g}"
        )


# --- Q4 ---------------------------------------------------------------------------------------------------

D4, H4 = 3, 5


def _bigru(student):
    model = student.call(
        "@tp5_construct", student.get("BiGRUEncoder"), {"dim": D4, "latent": H4}, "bigru", keep=True
    )
    for path, name in student.call("@tp5_modules_of", model):
        if name in ("GRU", "RNN", "LSTM"):
            raise Wrong("tp5_bigru_uses_nn_gru", what=f"nn.{name} ({path})")
    return model


@grade("Q4", points=0.5, visibility="public")
def test_bigru_shapes(student):
    """BiGRUEncoder(3, 5) on x (7, 2, 3): outputs (7, 2, 10), h_n (2, 2, 5)."""
    model = _bigru(student)
    L, B = 7, 2
    x = torch.randn(L, B, D4, generator=torch.Generator().manual_seed(41))
    got = student.method(model, "__call__", x)
    call = f"BiGRUEncoder({D4}, {H4})(x {(L, B, D4)})"
    ok = (
        isinstance(got, (tuple, list))
        and len(got) >= 2
        and isinstance(got[0], torch.Tensor)
        and tuple(got[0].shape) == (L, B, 2 * H4)
        and isinstance(got[1], torch.Tensor)
        and tuple(got[1].shape) == (2, B, H4)
    )
    if not ok:
        raise Wrong(
            "tp5_bigru_shape",
            call=call,
            got=describe(got)
            if not isinstance(got, (tuple, list))
            else "(" + ", ".join(describe(v) for v in got) + ")",
            expected_out=(L, B, 2 * H4),
            expected_h=(2, B, H4),
        )


@grade("Q4", points=0.5, visibility="public")
def test_bigru_against_torch(student):
    """The two cells' weights copied into nn.GRU(3, 5, bidirectional=True): same outputs (float64)."""
    model = _bigru(student)
    params = student.parameters(model)
    names = list(params)
    if len(names) != 8 or any(
        tuple(params[n].shape) != s
        for n, s in zip(names, [(3 * H4, D4), (3 * H4, H4), (3 * H4,), (3 * H4,)] * 2)
    ):
        return  # an unusual layout: the hidden tests read it
    student.call("@to_dtype", model, "float64")
    x = torch.randn(6, 2, D4, generator=torch.Generator().manual_seed(42), dtype=F64)
    got = student.method(model, "__call__", x)
    out = got[0] if isinstance(got, (tuple, list)) else got
    gru = torch.nn.GRU(D4, H4, bidirectional=True).double()
    with torch.no_grad():
        for i, suffix in enumerate(("", "_reverse")):
            for j, n in enumerate(("weight_ih", "weight_hh", "bias_ih", "bias_hh")):
                getattr(gru, f"{n}_l0{suffix}").copy_(params[names[4 * i + j]])
        expected, _ = gru(x)
    if _close(out, expected, 1e-8):
        return
    if isinstance(out, torch.Tensor) and out.shape == expected.shape:
        if _close(out[..., H4:], expected[..., H4:].flip(0), 1e-8):
            raise Wrong("tp5_bigru_not_rereversed")
        if _close(out[..., :H4], expected[..., H4:], 1e-8):
            raise Wrong("tp5_bigru_backward_first")
    expect_close(
        out, expected, f"BiGRUEncoder({D4}, {H4})(x {tuple(x.shape)})", what="outputs", atol=1e-8
    )


# --- Q5 ---------------------------------------------------------------------------------------------------


def _seq2seq(student):
    return student.call(
        "@tp5_construct",
        student.get("Seq2SeqAttention"),
        {"dim": 8, "latent": 10, "output": VOCAB},
        "seq2seq",
        keep=True,
    )


def _src(L, B, lengths, g):
    src = torch.randint(3, VOCAB, (L, B), generator=g)
    for b, n in enumerate(lengths):
        src[n:, b] = PAD
    return src


@grade("Q5", points=0.5, visibility="public")
def test_seq2seq_shapes_and_weights(student):
    """src (6, 3) with padding, tgt_in (4, 3): logits (4, 3, 13), weights (4, 6, 3) summing to 1, 0 on PAD."""
    g = torch.Generator().manual_seed(51)
    L, T, B = 6, 4, 3
    model = _seq2seq(student)
    src = _src(L, B, [6, 3, 4], g)
    tgt_in = torch.randint(3, VOCAB, (T, B), generator=g)
    tgt_in[0] = BOS
    call = f"Seq2SeqAttention(13, 8, 10)(src {(L, B)}, tgt_in {(T, B)})"
    logits, weights = _pair(student.method(model, "__call__", src, tgt_in), call, "")
    expect_shape(logits, (T, B, VOCAB), call, "logits (T, B, vocab_size)")
    if not isinstance(weights, torch.Tensor) or tuple(weights.shape) != (T, L, B):
        raise Wrong("tp5_s2s_weights_shape", call=call, got=describe(weights), expected=(T, L, B))
    sums = weights.to(F64).sum(1)
    bad = ((sums - 1).abs() > 1e-5).nonzero()
    if len(bad):
        step, example = (int(i) for i in bad[0])
        raise Wrong(
            "tp5_s2s_weights_sum",
            call=call,
            step=step,
            example=example,
            total=f"{float(sums[step, example]):.4g}",
        )
    padded = (weights.to(F64) * (src == PAD)).abs()
    if bool((padded > 0).any()):
        step, position, example = (int(i) for i in (padded > 0).nonzero()[0])
        raise Wrong(
            "tp5_s2s_weights_padding",
            call=call,
            got=f"{float(weights[step, position, example]):.3g}",
            position=position,
            example=example,
        )


@grade("Q5", points=0.5, visibility="public")
def test_seq2seq_scores_with_previous_state(student):
    """Step t's weights depend on s_(t-1) only, not on tgt_in[t]; logits of step t ignore later inputs."""
    g = torch.Generator().manual_seed(52)
    L, T, B = 5, 4, 2
    model = _seq2seq(student)
    student.call("@to_dtype", model, "float64")
    src = _src(L, B, [5, 5], g)
    tgt_in = torch.randint(3, VOCAB, (T, B), generator=g)
    tgt_in[0] = BOS
    call = f"Seq2SeqAttention(13, 8, 10)(src {(L, B)}, tgt_in {(T, B)})"
    logits, weights = _pair(student.method(model, "__call__", src, tgt_in), call, "")
    changed = tgt_in.clone()
    changed[2] = (tgt_in[2] - 3 + 1) % 10 + 3
    logits2, weights2 = _pair(student.method(model, "__call__", src, changed), call, "")
    batch_first = all(
        isinstance(t, torch.Tensor) and tuple(t.shape[:2]) == (B, T) for t in (logits, logits2)
    )
    if batch_first:  # batch-first logits (B, T, V): charged by the shapes test only
        logits, logits2 = logits.transpose(0, 1), logits2.transpose(0, 1)
    if not _close(logits2[:2], logits[:2], 1e-9):
        raise Wrong(
            "tp5_s2s_future_leak",
            step=1,
            worst=f"{float((logits2[:2] - logits[:2]).abs().max()):.3g}",
        )
    weights, weights2 = _steps_first(weights, T, L, B), _steps_first(weights2, T, L, B)
    if weights is not None and weights2 is not None:
        if not _close(weights2[:3], weights[:3], 1e-9):
            raise Wrong("tp5_s2s_score_uses_new_state")


def _steps_first(w, T, L, B):
    """Decoder attention weights (T, L, B) from the forms students return (sizes all different)."""
    if not isinstance(w, torch.Tensor) or w.dim() != 3:
        return None
    sizes = {T: "t", L: "l", B: "b"}
    try:
        order = "".join(sizes[n] for n in w.shape)
    except KeyError:
        return None
    return w.permute(order.index("t"), order.index("l"), order.index("b"))


# --- Q6 ---------------------------------------------------------------------------------------------------


@grade("Q6", points=0.5, visibility="public")
def test_sample_shape_and_greedy(student):
    """sample on logits (5, 4): a LongTensor (5,); temperature 0 and 1e-3 give the argmax of each row;
    T = 1 on 400 equal rows does not always give the same index."""
    g = torch.Generator().manual_seed(61)
    logits = 3 * torch.randn(5, 4, generator=g)
    for temperature in (0.0, 1e-3):
        got = student.call("sample", logits, temperature)
        call = f"sample(logits {(5, 4)}, {temperature})"
        if (
            not isinstance(got, torch.Tensor)
            or tuple(got.reshape(-1).shape) != (5,)
            or got.dtype != torch.long
        ):
            raise Wrong("tp5_sample_shape", call=call, got=describe(got), expected=(5,))
        if not bool((got.reshape(-1) == logits.argmax(-1)).all()):
            raise Wrong(
                "tp5_sample_greedy",
                temperature=temperature,
                expected=logits.argmax(-1).tolist(),
                observed=got.reshape(-1).tolist(),
            )
    got = student.call("sample", torch.zeros(400, 4), 1.0)
    if isinstance(got, torch.Tensor) and int(torch.unique(got).numel()) == 1:
        raise Wrong("tp5_sample_rows_not_independent")
