"""Reference of tp5-attention: scores, masked weights, scaled dot-product and multi-head attention, the
bidirectional GRU and the Bahdanau decoder, checked against torch and independent computations; the
multi-head layout reading of the grading tests on layouts the reference does not use."""

import math

import pytest
import torch

from autograder.assignments import ROOT
from autograder.reference import reference_namespace
from autograder.testing import lab_module

F64 = torch.float64
K = lab_module(
    str(ROOT / "assignments" / "tp5-attention" / "tests" / "tp5_checks.py"), "tp5_checks"
)


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return reference_namespace("tp5-attention", tmp_path_factory.mktemp("tp5-attention"))


def test_scores_follow_the_chapters_formulas(ns):
    g = torch.Generator().manual_seed(0)
    s, h = torch.randn(3, 4, generator=g, dtype=F64), torch.randn(5, 3, 6, generator=g, dtype=F64)
    W_a = torch.randn(4, 6, generator=g, dtype=F64)
    v_a, W_1, W_2 = (
        torch.randn(7, generator=g, dtype=F64),
        torch.randn(7, 4, generator=g, dtype=F64),
        torch.randn(7, 6, generator=g, dtype=F64),
    )
    for i in range(5):
        for b in range(3):
            assert ns["score_general"](s, h, W_a)[i, b] == pytest.approx(
                float(s[b] @ W_a @ h[i, b])
            )
            additive = float(v_a @ torch.tanh(W_1 @ s[b] + W_2 @ h[i, b]))
            assert ns["score_additive"](s, h, v_a, W_1, W_2)[i, b] == pytest.approx(additive)
    same = torch.randn(3, 6, generator=g, dtype=F64)
    assert torch.allclose(ns["score_dot"](same, h), (h * same).sum(-1))


def test_masked_weights_are_exactly_zero_and_sum_to_one(ns):
    scores = torch.randn(5, 3, dtype=F64)
    mask = torch.arange(5)[:, None] < torch.tensor([5, 1, 3])[None]
    w = ns["attention_weights"](scores, mask)
    assert bool((w[~mask] == 0).all())
    assert torch.allclose(w.sum(0), torch.ones(3, dtype=F64))


def test_sdpa_equals_torch_with_masks(ns):
    g = torch.Generator().manual_seed(1)
    Q, Km, V = (torch.randn(n, 2, d, generator=g, dtype=F64) for n, d in ((3, 4), (5, 4), (5, 6)))
    for mask in (None, torch.ones(3, 5, dtype=torch.bool).tril(1), torch.rand(2, 1, 5) < 0.7):
        if mask is not None and mask.dim() == 3:
            mask[..., 0] = True
        out, w = ns["scaled_dot_product_attention"](Q, Km, V, mask)
        assert torch.allclose(out, K.torch_sdpa(Q, Km, V, mask))
        assert w.shape == (2, 3, 5)
        assert torch.allclose(w, K.sdpa(Q, Km, V, mask)[1])


def test_mha_equals_nn_multiheadattention(ns):
    torch.manual_seed(0)
    mha, theirs = (
        ns["MultiHeadAttention"](8, 2).double(),
        torch.nn.MultiheadAttention(8, 2).double(),
    )
    with torch.no_grad():
        theirs.in_proj_weight.copy_(mha.in_proj.weight)
        theirs.in_proj_bias.copy_(mha.in_proj.bias)
        theirs.out_proj.weight.copy_(mha.out_proj.weight)
        theirs.out_proj.bias.copy_(mha.out_proj.bias)
    q, kv = torch.randn(4, 3, 8, dtype=F64), torch.randn(6, 3, 8, dtype=F64)
    pad = torch.arange(6)[None] >= torch.tensor([6, 2, 4])[:, None]  # torch: True = ignore
    ours, ours_w = mha(q, kv, kv, ~pad[:, None, :])
    want, want_w = theirs(q, kv, kv, key_padding_mask=pad)
    assert torch.allclose(ours, want) and torch.allclose(ours_w, want_w)


def test_bigru_equals_nn_gru(ns):
    torch.manual_seed(0)
    enc, gru = ns["BiGRUEncoder"](3, 5).double(), torch.nn.GRU(3, 5, bidirectional=True).double()
    with torch.no_grad():
        for suffix, cell in (("", enc.forward_cell), ("_reverse", enc.backward_cell)):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(gru, f"{name}_l0{suffix}").copy_(getattr(cell, name))
    for L in (1, 7):
        x = torch.randn(L, 2, 3, dtype=F64)
        (out, h_n), (want, want_h) = enc(x), gru(x)
        assert torch.allclose(out, want) and torch.allclose(h_n, want_h)


def test_seq2seq_weights_and_previous_state(ns):
    torch.manual_seed(0)
    model = ns["Seq2SeqAttention"](13, 8, 10)
    src = torch.randint(3, 13, (6, 3))
    src[3:, 1] = ns["PAD"]
    tgt_in = torch.randint(3, 13, (4, 3))
    logits, w = model(src, tgt_in)
    assert logits.shape == (4, 3, 13) and w.shape == (4, 6, 3)
    assert torch.allclose(w.sum(1), torch.ones(4, 3)) and bool((w[:, 3:, 1] == 0).all())
    changed = tgt_in.clone()
    changed[2] = (tgt_in[2] - 2) % 10 + 3
    assert torch.equal(model(src, changed)[1][:3], w[:3])  # step t scores with s_(t-1)


def test_sample_extremes(ns):
    logits = torch.tensor([[0.0, 3.0, 1.0]] * 5)
    assert torch.equal(ns["sample"](logits, 0), torch.ones(5, dtype=torch.long))
    torch.manual_seed(0)
    draws = ns["sample"](torch.zeros(20000, 3), 1.0)
    assert draws.shape == (20000,) and (torch.bincount(draws, minlength=3) > 6000).all()


@pytest.mark.parametrize("split", ["hd", "dh"])
def test_layout_reading_finds_three_raw_transposed_projections(split):
    """A layout the reference does not use: raw (E, E) tensors used as x @ W, heads split either way."""
    E, heads = 6, 2
    g = torch.Generator().manual_seed(3)
    names = ["W_q", "W_k", "W_v", "W_o", "b_q", "b_k", "b_v", "b_o"]
    values = {
        n: torch.randn((E, E) if n[0] == "W" else (E,), generator=g, dtype=F64) for n in names
    }
    d = E // heads
    perm = torch.tensor([j * heads + i for i in range(heads) for j in range(d)])

    def student(q, k, v):  # the student's own computation, in their layout
        def proj(x, w, b):
            y = x @ values[w] + values[b]
            if split == "dh":
                y = y[..., perm]
            return y.reshape(x.shape[0], -1, heads, d).transpose(0, 2)  # (h, B, L, d)

        Q, Km, Vv = proj(q, "W_q", "b_q"), proj(k, "W_k", "b_k"), proj(v, "W_v", "b_v")
        w = torch.softmax(Q @ Km.transpose(-2, -1) / math.sqrt(d), -1)
        o = (w @ Vv).permute(2, 1, 0, 3).reshape(q.shape[0], q.shape[1], E)
        return (o[..., perm.argsort()] if split == "dh" else o) @ values["W_o"] + values["b_o"]

    q, kv = torch.randn(4, 3, E, dtype=F64), torch.randn(5, 3, E, dtype=F64)
    readings = K.mha_readings({n: tuple(t.shape) for n, t in values.items()}, E)
    found = [
        r
        for r in readings
        if torch.allclose(
            K.mha_torch(q, kv, kv, None, r.canonical(values, E, heads), heads)[0],
            student(q, kv, kv),
        )
    ]
    assert found


def test_layout_reading_gathers_per_head_layers():
    """A ModuleList of per-head nn.Linear(E, d) for q, k and v, and one output layer."""
    E, heads, d = 6, 2, 3
    g = torch.Generator().manual_seed(4)
    shapes = {}
    for role in ("q", "k", "v"):
        for i in range(heads):
            shapes[f"{role}_heads.{i}.weight"], shapes[f"{role}_heads.{i}.bias"] = (d, E), (d,)
    shapes["out_proj.weight"], shapes["out_proj.bias"] = (E, E), (E,)
    values = {n: torch.randn(s, generator=g, dtype=F64) for n, s in shapes.items()}
    readings = K.mha_readings(shapes, E, heads=heads)
    p = readings[0].canonical(values, E, heads)
    want = torch.cat([values["q_heads.0.weight"], values["q_heads.1.weight"]])
    assert torch.equal(p["W_q"], want)
    assert torch.equal(p["b_v"], torch.cat([values["v_heads.0.bias"], values["v_heads.1.bias"]]))
    assert torch.equal(p["W_o"], values["out_proj.weight"])
