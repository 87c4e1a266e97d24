"""Grader-side helpers of the tp5-attention hidden tests (not a test file: pytest does not collect it).

Everything here runs in the grader: independent float64 computations of the chapter's equations
(score functions, masked softmax, scaled dot-product attention and its usual look-alikes), torch's
own ``F.multi_head_attention_forward`` and ``nn.GRU`` as references, the reading of a student's
multi-head attention and bidirectional GRU parameters by their shapes, calling conventions, and the
data and settings of the learning test. Student code is only reached through the ``student`` fixture.

The multi-head layout reading (``mha_readings``) is the kit's layout library (``autograder.layouts``)
with the heads' split orders on top.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from autograder.channel import StudentError
from autograder.testing import NoLayout, Target, Wrong, describe, find_readings

F64 = torch.float64


def close(a, b, atol=1e-8, rtol=1e-6) -> bool:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return False
    a, b = a.to(F64), b.to(F64)
    if not bool(torch.isfinite(a).all()):
        return False
    return bool(((a - b).abs() <= atol + rtol * b.abs()).all())


def close_nan(a, b, atol=1e-8, rtol=1e-6) -> bool:
    """``close`` where ``b`` is finite, NaN where ``b`` is NaN (an example whose every position is masked)."""
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return False
    a, b = a.to(F64), b.to(F64)
    nan = torch.isnan(b)
    if not bool(nan.any()) or not bool((torch.isnan(a) == nan).all()):
        return False
    return close(a[~nan], b[~nan], atol, rtol)


def worst(a, b) -> float:
    try:
        return float((a.to(F64) - b.to(F64)).abs().max())
    except (RuntimeError, AttributeError):
        return float("inf")


def shape_of(value) -> str:
    return describe(value)


# --- Q1: scores and weights ---------------------------------------------------------------------------


def score_dot(s, h):
    return torch.einsum("bd,lbd->lb", s, h)


def score_general(s, h, W_a):
    return torch.einsum("bi,ij,lbj->lb", s, W_a, h)


def score_additive(s, h, v_a, W_1, W_2):
    return (
        torch.tanh(torch.einsum("ai,bi->ba", W_1, s)[None] + torch.einsum("aj,lbj->lba", W_2, h))
        @ v_a
    )


def masked_softmax(scores, mask=None, dim=0):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=dim)


# Look-alikes of the score functions: (name, function of the same arguments) -> catalog key
SCORE_VARIANTS = {
    "score_general": {
        "tp5_general_transposed": lambda s, h, W_a: (
            torch.einsum("bi,ji,lbj->lb", s, W_a, h) if W_a.shape[0] == W_a.shape[1] else None
        ),
    },
    "score_additive": {
        "tp5_additive_no_tanh": lambda s, h, v_a, W_1, W_2: (
            (torch.einsum("ai,bi->ba", W_1, s)[None] + torch.einsum("aj,lbj->lba", W_2, h)) @ v_a
        ),
        "tp5_additive_swapped": lambda s, h, v_a, W_1, W_2: (
            score_additive(s, h, v_a, W_2, W_1) if W_1.shape == W_2.shape else None
        ),
    },
}


def weights_variant(scores, mask, out):
    """The catalog key of a known mistake that ``out`` matches, else None."""
    if mask is not None:
        if close(out, torch.softmax(scores, dim=0) * mask, 1e-9, 1e-7):
            return "tp5_weights_mask_after_softmax"
        if close(out, torch.softmax(scores.masked_fill(~mask, 0.0), dim=0), 1e-9, 1e-7):
            return "tp5_weights_mask_zero"
        inverted = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=0)
        if close(out, inverted, 1e-9, 1e-7) or close_nan(out, inverted, 1e-9, 1e-7):
            return "tp5_weights_mask_inverted"
    if close(out, masked_softmax(scores, mask, dim=1), 1e-9, 1e-7):
        return "tp5_weights_wrong_axis"
    return None


# --- Q2: scaled dot-product attention ----------------------------------------------------------------


def sdpa(Q, K, V, mask=None, variant="correct"):
    """Scaled dot-product attention, sequence-first, and its look-alikes: (output (Lq, B, dv), weights (B, Lq, Lk))."""
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    d_k = Q.shape[-1]
    raw = q @ k.transpose(-2, -1)
    scale = {"no_scale": 1.0, "scale_dk": d_k, "scale_dv": math.sqrt(V.shape[-1])}.get(
        variant, math.sqrt(d_k)
    )
    scores = raw / scale
    if mask is not None:
        mask = mask.expand(scores.shape)
    if variant == "mask_zero" and mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    elif variant == "mask_inverted" and mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    elif variant != "mask_after" and mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-2 if variant == "softmax_queries" else -1)
    if variant == "mask_after" and mask is not None:
        weights = weights * mask
    return (weights @ v).transpose(0, 1), weights


SDPA_VARIANTS = {
    "no_scale": "tp5_sdpa_no_scale",
    "scale_dk": "tp5_sdpa_scale_dk",
    "scale_dv": "tp5_sdpa_scale_dv",
    "softmax_queries": "tp5_sdpa_softmax_axis",
    "mask_after": "tp5_sdpa_mask_after_softmax",
    "mask_zero": "tp5_sdpa_mask_zero",
    "mask_inverted": "tp5_sdpa_mask_inverted",
}


def torch_sdpa(Q, K, V, mask=None):
    """torch's own function (batch-first), brought back to sequence-first."""
    out = F.scaled_dot_product_attention(
        Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1), attn_mask=mask
    )
    return out.transpose(0, 1)


@dataclass
class SdpaCall:
    output: torch.Tensor | None
    weights: torch.Tensor | None  # (B, Lq, Lk)
    convention: str  # "" | "batch_first" | "weights_<form>" ...
    raw: object


def call_sdpa(student, Q, K, V, mask, name="scaled_dot_product_attention") -> SdpaCall:
    """The student's function called the way it asks (sequence-first first, batch-first when that
    is what it computes), results brought to ``(Lq, B, dv)`` and ``(B, Lq, Lk)``."""
    Lq, B, dv = Q.shape[0], Q.shape[1], V.shape[-1]
    Lk = K.shape[0]
    args = [Q, K, V] + ([mask] if mask is not None else [])
    error = None
    try:
        got = student.call(name, *args)
    except StudentError as err:
        got, error = None, err
    out, weights = _split(got)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (Lq, B, dv):
        return SdpaCall(out, _weights(weights, B, Lq, Lk), "", got)
    # batch-first: the same tensors, batch first
    bf = [
        Q.transpose(0, 1).contiguous(),
        K.transpose(0, 1).contiguous(),
        V.transpose(0, 1).contiguous(),
    ]
    try:
        got_bf = student.call(name, *bf, *([mask] if mask is not None else []))
    except StudentError:
        got_bf = None
    out_bf, weights_bf = _split(got_bf)
    if isinstance(out_bf, torch.Tensor) and tuple(out_bf.shape) == (B, Lq, dv):
        return SdpaCall(
            out_bf.transpose(0, 1), _weights(weights_bf, B, Lq, Lk), "batch_first", got_bf
        )
    if error is not None:
        raise error
    return SdpaCall(
        out if isinstance(out, torch.Tensor) else None, _weights(weights, B, Lq, Lk), "", got
    )


def _split(got):
    if isinstance(got, (tuple, list)) and len(got) >= 2:
        return got[0], got[1]
    if isinstance(got, (tuple, list)) and len(got) == 1:
        return got[0], None
    return got, None


def _weights(w, B, Lq, Lk):
    """Attention weights brought to (B, Lq, Lk) from the forms students return."""
    if not isinstance(w, torch.Tensor):
        return None
    shape = tuple(w.shape)
    if shape == (B, Lq, Lk):
        return w
    if shape == (Lq, B, Lk):
        return w.transpose(0, 1)
    if shape == (Lq, Lk, B):
        return w.permute(2, 0, 1)
    if shape == (B, 1, Lq, Lk):
        return w[:, 0]
    return None


# --- Q3: multi-head attention -------------------------------------------------------------------------


def mha_torch(query, key, value, mask, p: dict, heads: int, need_grad=False):
    """torch's multi-head attention (``F.multi_head_attention_forward``) on canonical parameters
    ``W_q, W_k, W_v, b_q, b_k, b_v, W_o, b_o``; ``mask`` True = allowed, broadcastable to (B, Lq, Lk)."""
    Lq, B, E = query.shape
    Lk = key.shape[0]
    attn_mask = None
    if mask is not None:
        attn_mask = (~mask.expand(B, Lq, Lk)).repeat_interleave(heads, dim=0)
    out, weights = F.multi_head_attention_forward(
        query,
        key,
        value,
        E,
        heads,
        torch.cat([p["W_q"], p["W_k"], p["W_v"]]),
        torch.cat([p["b_q"], p["b_k"], p["b_v"]]),
        None,
        None,
        False,
        0.0,
        p["W_o"],
        p["b_o"],
        training=False,
        need_weights=True,
        attn_mask=attn_mask,
        average_attn_weights=True,
    )
    return out, weights


def mha_variant(query, key, value, mask, p: dict, heads: int, variant: str):
    """Hand computation of the usual multi-head look-alikes (float64)."""
    Lq, B, E = query.shape
    Lk = key.shape[0]
    d = E // heads
    q = F.linear(query, p["W_q"], p["b_q"]).reshape(Lq, B * heads, d).transpose(0, 1)
    k = F.linear(key, p["W_k"], p["b_k"]).reshape(Lk, B * heads, d).transpose(0, 1)
    v = F.linear(value, p["W_v"], p["b_v"]).reshape(Lk, B * heads, d).transpose(0, 1)
    scale = {"no_scale": 1.0, "scale_embed": math.sqrt(E)}.get(variant, math.sqrt(d))
    scores = q @ k.transpose(1, 2) / scale
    if mask is not None:
        scores = scores.masked_fill(
            ~mask.expand(B, Lq, Lk).repeat_interleave(heads, 0), float("-inf")
        )
    w = torch.softmax(scores, dim=-1)  # (B*h, Lq, Lk)
    o = w @ v  # (B*h, Lq, d)
    if (
        variant == "merge_positions"
    ):  # (B*h, Lq, d) viewed as (Lq, B, E) without moving the heads back
        merged = o.reshape(Lq, B, E)
    else:
        merged = o.transpose(0, 1).reshape(Lq, B, E)
    out = F.linear(merged, p["W_o"], p["b_o"])
    ww = w.view(B, heads, Lq, Lk)
    weights = {"sum_heads": ww.sum(1), "first_head": ww[:, 0]}.get(variant, ww.mean(1))
    return out, weights


MHA_VARIANTS = {
    "no_scale": "tp5_mha_no_scale",
    "scale_embed": "tp5_mha_scale_embed",
    "merge_positions": "tp5_mha_merge_positions",
    "sum_heads": "tp5_mha_weights_not_averaged",
    "first_head": "tp5_mha_weights_not_averaged",
}


def _split_heads(p: dict, perm, split_qk: str, split_v: str, merge: str) -> dict:
    """torch's head-major blocks from a student's whose heads are split dimension-major ("dh")."""
    out = dict(p)
    for role, split in (("q", split_qk), ("k", split_qk), ("v", split_v)):
        if split == "dh":
            out[f"W_{role}"], out[f"b_{role}"] = p[f"W_{role}"][perm], p[f"b_{role}"][perm]
    if merge == "dh":
        out["W_o"] = p["W_o"][:, perm]
    return out


# The kit's layout library (autograder.layouts) reads the parameters as nn.MultiheadAttention's four
# E -> E blocks on query, key, value and the concatenated heads, told apart by name hints and values.
MHA_TARGET = Target.attention()


@dataclass(frozen=True)
class MhaReading:
    """A reading of the layout library, with the heads' split orders on top: head-major (torch's,
    "hd") or dimension-major ("dh", head i = features i, i + h, ...) for q/k, for v, for the merge."""

    reading: object  # autograder.layouts.Reading
    split_qk: str
    split_v: str
    merge: str

    def canonical(self, params: dict, E: int, heads: int) -> dict:
        """torch's ``W_q ... b_o`` from the student's tensors (differentiable in them)."""
        d = E // heads
        perm = torch.tensor([j * heads + i for i in range(heads) for j in range(d)])
        r = self.reading
        plain = {f"W_{u}": r.weight(f"W_{u}", params) for u in "qkvo"}
        plain.update({f"b_{u}": r.bias(u, params) for u in "qkvo"})
        return _split_heads(plain, perm, self.split_qk, self.split_v, self.merge)


def mha_readings(
    shapes: dict, E: int, limit: int = 4000, heads: int | None = None
) -> list[MhaReading]:
    """Every reading of the student's parameters as a multi-head attention of size ``E``:
    ``autograder.layouts.find_readings`` (fused blocks in any order, ``(3, E, E)`` stacks, separate
    or per-head layers with ``heads``, raw tensors stored for ``x @ W``, biases paired by name),
    times the heads' split orders. ``NoLayout`` (its detail: the student's shapes) when none."""
    try:
        found = find_readings(MHA_TARGET, shapes, {"E": E}, heads=heads)
    except NoLayout as no:
        shown = ", ".join(f"{n} {tuple(s)}" for n, s in shapes.items())
        raise NoLayout(no.kind, shown) from None
    out = []
    for reading in found:
        for split_qk, split_v, merge in itertools.product(("hd", "dh"), repeat=3):
            out.append(MhaReading(reading, split_qk, split_v, merge))
            if len(out) >= limit:
                return out
    return out


# --- Q4: bidirectional GRU ----------------------------------------------------------------------------

GRU_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def gru_cells(shapes: dict, D: int, H: int) -> list[dict] | None:
    """The student's two GRU cells as ``{weight_ih: name, ...}`` in declaration order, read by shape."""
    cells, current = [], {}
    wanted = {(3 * H, D): "weight_ih", (3 * H, H): "weight_hh"}
    for name, shape in shapes.items():
        shape = tuple(shape)
        if shape in wanted and D != H:
            role = wanted[shape]
        elif shape == (3 * H,):
            role = "bias_ih" if "bias_ih" not in current else "bias_hh"
        else:
            return None
        if role in current:
            cells.append(current)
            current = {}
        current[role] = name
        if len(current) == 4:
            cells.append(current)
            current = {}
    if current:
        cells.append(current)
    if len(cells) != 2 or any(set(c) != set(GRU_NAMES) for c in cells):
        return None
    return cells


def torch_bigru(params: dict, cells: list, order: tuple, x: torch.Tensor):
    """``nn.GRU(bidirectional=True)`` with the student's cells as (forward, backward) = ``order``."""
    D, H = x.shape[-1], params[cells[0]["weight_hh"]].shape[1]
    gru = torch.nn.GRU(D, H, bidirectional=True).to(x.dtype)
    with torch.no_grad():
        for suffix, cell in zip(("", "_reverse"), (cells[order[0]], cells[order[1]])):
            for n in GRU_NAMES:
                getattr(gru, f"{n}_l0{suffix}").copy_(params[cell[n]])
    return gru


def bigru_functional(params: dict, cells: list, order: tuple, x: torch.Tensor, variant="correct"):
    """The bidirectional GRU by hand (differentiable in ``params``) and its look-alikes."""

    def run(cell, xs):
        p = {n: params[cell[n]] for n in GRU_NAMES}
        h = x.new_zeros(x.shape[1], p["weight_hh"].shape[1])
        states = []
        for x_t in xs:
            h = torch._VF.gru_cell(
                x_t, h, p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"]
            )
            states.append(h)
        return torch.stack(states), h

    fw, h_fw = run(cells[order[0]], x)
    unflipped = variant in ("backward_not_flipped", "two_forward")
    bw, h_bw = run(cells[order[1]], x if unflipped else x.flip(0))
    if variant not in ("not_rereversed", "two_forward"):
        bw = bw.flip(0)
    if variant == "backward_first":
        return torch.cat([bw, fw], -1), torch.stack([h_bw, h_fw])
    return torch.cat([fw, bw], -1), torch.stack([h_fw, h_bw])


BIGRU_VARIANTS = {
    "not_rereversed": "tp5_bigru_not_rereversed",
    "backward_not_flipped": "tp5_bigru_backward_not_flipped",
    "two_forward": "tp5_bigru_backward_not_flipped",
    "backward_first": "tp5_bigru_backward_first",
}


# --- Q5: the learning test ----------------------------------------------------------------------------

PAD, BOS, EOS = 0, 1, 2
VOCAB = 13
LEARNING = {
    "emb": 16,
    "hidden": 32,
    "batch": 64,
    "steps": 120,
    "lr": 1e-2,
    "clip": 1.0,
    "n_test": 300,
    "min_len": 3,
    "max_len": 8,
}
# Exact-match accuracy on held-out pairs that the grader's short training must reach (calibrate.py,
# 5 seeds: the reference 0.947-0.990, a fixed-context decoder 0.367-0.497, no context 0.047-0.150).
LEARNING_THRESHOLD = 0.75


def reversal_pairs(n: int, generator, min_len=3, max_len=8):
    """Digit strings (codes 3..12) padded with PAD: src (max_len, n), tgt reversed + EOS (max_len + 1, n)."""
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=generator)
    digits = torch.randint(0, 10, (max_len, n), generator=generator) + 3
    positions = torch.arange(max_len).unsqueeze(1)
    src = torch.where(positions < lengths, digits, torch.full_like(digits, PAD))
    tgt = torch.full((max_len + 1, n), PAD, dtype=torch.long)
    for b in range(n):
        length = int(lengths[b])
        tgt[:length, b] = src[:length, b].flip(0)
        tgt[length, b] = EOS
    return src, tgt


def learning_data(seed: int, settings=LEARNING):
    g = torch.Generator().manual_seed(seed)
    batches = [
        list(reversal_pairs(settings["batch"], g, settings["min_len"], settings["max_len"]))
        for _ in range(settings["steps"])
    ]
    test_src, test_tgt = reversal_pairs(
        settings["n_test"], g, settings["min_len"], settings["max_len"]
    )
    return batches, test_src, test_tgt


def exact_match(predicted: torch.Tensor, tgt: torch.Tensor) -> float:
    hits = 0
    for b in range(tgt.shape[1]):
        target = tgt[:, b].tolist()
        n = target.index(EOS) + 1
        hits += predicted[:n, b].tolist() == target[:n]
    return hits / tgt.shape[1]


def seq2seq_layout(student, model, src, tgt_in, vocab):
    """How the model's output reads: ``("TBV" | "BTV", weights as (T, L, B) or None, what came back)``."""
    got = student.method(model, "__call__", src, tgt_in)
    logits, weights = _split(got)
    T, B = tgt_in.shape
    L = src.shape[0]
    if not isinstance(logits, torch.Tensor):
        raise Wrong(
            "tp5_s2s_output",
            got=describe(got),
            call=f"Seq2SeqAttention(...)(src {tuple(src.shape)}, tgt_in {tuple(tgt_in.shape)})",
        )
    if tuple(logits.shape) == (T, B, vocab):
        layout = "TBV"
    elif tuple(logits.shape) == (B, T, vocab):
        layout = "BTV"
    else:
        raise Wrong(
            "tp5_s2s_logits_shape",
            call=f"model(src {tuple(src.shape)}, tgt_in {tuple(tgt_in.shape)})",
            got=describe(logits),
            expected=f"({T}, {B}, {vocab})",
        )
    return layout, s2s_weights(weights, T, L, B), got


def s2s_weights(w, T, L, B):
    """Decoder attention weights brought to (T, L, B) from the forms students return."""
    if not isinstance(w, torch.Tensor):
        return None
    forms = {
        (T, L, B): (0, 1, 2),
        (T, B, L): (0, 2, 1),
        (B, T, L): (1, 2, 0),
        (B, L, T): (2, 1, 0),
        (L, T, B): (1, 0, 2),
        (L, B, T): (2, 0, 1),
    }
    perm = forms.get(tuple(w.shape))
    return None if perm is None else w.permute(*perm)
