"""autograder.layouts: reading a student's parameters as a lab's linear blocks, whatever the layout."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

from autograder import testing
from autograder.layouts import NoLayout, Target, find_readings

F64 = torch.float64
D, H, O = 3, 5, 4

RNN = Target.of(
    inputs={"x": "D", "h": "H"},
    units={"cell": ("H", {"x": "W_i", "h": "W_h"}), "decoder": ("O", {"h": "W_d"})},
    optional=("decoder",),
)
SIZES = {"D": D, "H": H, "O": O}


def values(shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {name: torch.randn(shape, generator=g, dtype=F64) for name, shape in shapes.items()}


def shapes_of(params):
    return {name: tuple(p.shape) for name, p in params.items()}


def rnn_step(reading, p, x, h):
    pre = x @ reading.weight("W_i", p).T + h @ reading.weight("W_h", p).T
    return torch.tanh(pre + reading.bias("cell", p))


def matching(found, p, step, want, *args):
    return [r for r in found if torch.allclose(step(r, p, *args), want, atol=1e-10)]


def test_the_api_is_exported_to_test_authors():
    for name in ("Target", "find_readings", "Readings", "Reading", "NoLayout"):
        assert name in testing.__all__ and hasattr(testing, name)


def test_raw_blocks_transposed_and_split_biases_add_up():
    shapes = {"U": (D, H), "W": (H, H), "b1": (H,), "b2": (1, H), "V": (O, H), "c": (O,)}
    p = values(shapes)
    found = find_readings(RNN, shapes, SIZES)
    assert len(found) == 2  # a square raw W_h, both ways; U can only be transposed
    x, h = torch.randn(6, D, dtype=F64), torch.randn(6, H, dtype=F64)
    want = torch.tanh(x @ p["U"] + h @ p["W"] + p["b1"] + p["b2"][0])
    (hit,) = matching(found, p, rnn_step, want, x, h)
    assert torch.equal(hit.weight("W_h", p), p["W"].T)
    assert torch.equal(hit.weight("W_d", p), p["V"]) and torch.equal(hit.bias("decoder", p), p["c"])
    assert hit.names() == ["U", "W", "b1", "b2", "V", "c"]


def test_linear_weights_are_never_transposed_unless_asked():
    shapes = {"i2h.weight": (H, D), "h2h.weight": (H, H), "h2h.bias": (H,)}
    assert len(find_readings(RNN, shapes, SIZES)) == 1
    assert len(find_readings(RNN, shapes, SIZES, transpose="all")) == 2
    with pytest.raises(NoLayout) as no:
        find_readings(RNN, {"i2h.weight": (D, H), "h2h.weight": (H, H)}, SIZES)
    assert no.value.kind == "unknown" and "i2h.weight (3, 5)" in no.value.detail


@pytest.mark.parametrize("order", ["xh", "hx"])
def test_one_linear_on_the_concatenation_in_either_order(order):
    cell = nn.Linear(D + H, H).double()
    p = dict(cell.named_parameters())
    found = find_readings(RNN, shapes_of(p), SIZES)
    assert len(found) == 2 and not found.reading(0).has("decoder")
    x, h = torch.randn(6, D, dtype=F64), torch.randn(6, H, dtype=F64)
    with torch.no_grad():
        want = torch.tanh(cell(torch.cat([x, h] if order == "xh" else [h, x], dim=1)))
        (hit,) = matching(found, p, rnn_step, want, x, h)
    assert "[0:5, 0:3]" in hit.description if order == "xh" else "[0:5, 5:8]" in hit.description


def gate_step(reading, p, x, h):
    """torch's GRU cell (reset after the product) from the blocks of a reading."""

    def pre(g, on_h=False):
        if on_h:
            return h @ reading.weight(f"W_h^{g}", p).T + reading.bias(g, p, on=("h",))
        bias = reading.bias(g, p) - reading.bias(g, p, on=("h",))
        return x @ reading.weight(f"W_x^{g}", p).T + bias

    r = torch.sigmoid(pre("r") + pre("r", True))
    z = torch.sigmoid(pre("z") + pre("z", True))
    n = torch.tanh(pre("n") + r * pre("n", True))
    return (1 - z) * n + z * h


def test_fused_gates_in_any_order_with_biases_paired_by_name():
    cell = nn.GRUCell(D, H).double()
    p = dict(cell.named_parameters())
    target = Target.gates(("z", "r", "n"), "H", {"x": "D", "h": "H"})
    found = find_readings(target, shapes_of(p), {"D": D, "H": H})
    assert len(found) == 36  # gate orders of weight_ih (6) and of weight_hh (6), biases follow
    x, h = torch.randn(6, D, dtype=F64), torch.randn(6, H, dtype=F64)
    with torch.no_grad():
        (hit,) = matching(found, p, gate_step, cell(x, h), x, h)
        assert torch.equal(hit.weight("W_x^r", p), p["weight_ih"][:H])  # torch's order: r, z, n
        assert torch.equal(hit.bias("n", p, on=("h",)), p["bias_hh"][2 * H :])
        # evaluate: every reading's blocks at once, computed once per distinct source
        stacked = found.evaluate(lambda s: s.weight("h", p))
    assert stacked["z"].shape == (36, H, H)
    for r in (0, 7, 35):
        assert torch.equal(stacked["z"][r], found.reading(r).weight("W_h^z", p))


def test_unknown_and_missing_name_the_parameters_and_the_blocks():
    with pytest.raises(NoLayout) as no:
        find_readings(RNN, {"W_i": (H, D), "W_h": (H, H), "odd": (2, 7)}, SIZES)
    assert (no.value.kind, no.value.detail) == ("unknown", "odd (2, 7)")
    with pytest.raises(NoLayout) as no:
        find_readings(RNN, {"W_i": (H, D), "b": (H,)}, SIZES)
    assert (no.value.kind, no.value.detail) == ("missing", "W_h (5, 5)")
    with pytest.raises(NoLayout) as no:  # two tensors that can only be W_i
        find_readings(RNN, {"A": (H, D), "B": (H, D), "W_h": (H, H)}, SIZES)
    assert no.value.kind == "unknown" and "A (5, 3)" in no.value.detail
    with pytest.raises(NoLayout) as no:
        find_readings(RNN, {}, SIZES)
    assert (no.value.kind, no.value.detail) == ("missing", "W_i (5, 3), W_h (5, 5)")


# --- multi-head attention: square blocks, told apart by name hints and by values -----------------------

E, HEADS = 8, 2
DK = E // HEADS
MHA = Target.attention()


def attend(q, k, v):
    """Scaled dot-product attention per head: q, k, v (B, L, E) -> (B, L, E), heads concatenated."""
    B, L, _ = q.shape
    q, k, v = (t.reshape(B, -1, HEADS, DK).transpose(1, 2) for t in (q, k, v))
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(DK), dim=-1)
    return (weights @ v).transpose(1, 2).reshape(B, L, E)


class Fused(nn.Module):
    """One in_proj (3E, E) in the order v, q, k (not torch's), and an out_proj Linear."""

    def __init__(self):
        super().__init__()
        self.in_proj_weight = nn.Parameter(torch.randn(3 * E, E))
        self.in_proj_bias = nn.Parameter(torch.randn(3 * E))
        self.out_proj = nn.Linear(E, E)

    def forward(self, query, key, value):
        w, b = self.in_proj_weight.chunk(3), self.in_proj_bias.chunk(3)
        q, k, v = (F.linear(t, w[i], b[i]) for t, i in ((query, 1), (key, 2), (value, 0)))
        return self.out_proj(attend(q, k, v))


class Separate(nn.Module):
    """Linears for q and k, raw transposed W_v, b_v, W_o, b_o (x @ W)."""

    def __init__(self):
        super().__init__()
        self.q_proj, self.k_proj = nn.Linear(E, E), nn.Linear(E, E)
        self.W_v, self.b_v = nn.Parameter(torch.randn(E, E)), nn.Parameter(torch.randn(E))
        self.W_o, self.b_o = nn.Parameter(torch.randn(E, E)), nn.Parameter(torch.randn(E))

    def forward(self, query, key, value):
        heads = attend(self.q_proj(query), self.k_proj(key), value @ self.W_v + self.b_v)
        return heads @ self.W_o + self.b_o


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(E, DK), nn.Linear(E, DK), nn.Linear(E, DK)


class PerHead(nn.Module):
    """A ModuleList of per-head Linears (d_k, E), and a raw per-head output (heads, d_k, E)."""

    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleList(Head() for _ in range(HEADS))
        self.W_out = nn.Parameter(torch.randn(HEADS, DK, E))
        self.out_bias = nn.Parameter(torch.randn(E))

    def forward(self, query, key, value):
        q = torch.cat([h.q(query) for h in self.heads], dim=-1)
        k = torch.cat([h.k(key) for h in self.heads], dim=-1)
        v = torch.cat([h.v(value) for h in self.heads], dim=-1)
        out = attend(q, k, v).reshape(*q.shape[:2], HEADS, DK)
        return torch.einsum("blhd,hde->ble", out, self.W_out) + self.out_bias


def torch_mha(reading, p, query, key, value):
    """torch.nn.MultiheadAttention with the weights a reading gives."""
    mha = nn.MultiheadAttention(E, HEADS, batch_first=True).double()
    weights = {
        "in_proj_weight": torch.cat([reading.weight(w, p) for w in ("W_q", "W_k", "W_v")]),
        "in_proj_bias": torch.cat([reading.bias(u, p) for u in ("q", "k", "v")]),
        "out_proj.weight": reading.weight("W_o", p),
        "out_proj.bias": reading.bias("o", p),
    }
    return functional_call(mha, weights, (query, key, value), {"need_weights": False})[0]


def mha_readings_and_hits(module):
    """A seeded ``module()``'s parameters, their readings as a multi-head attention, and those
    readings that reproduce its outputs through ``nn.MultiheadAttention``."""
    torch.manual_seed(0)
    student = module().double()
    p = {name: t.detach() for name, t in student.named_parameters()}
    found = find_readings(MHA, shapes_of(p), {"E": E}, heads=HEADS)
    g = torch.Generator().manual_seed(1)
    query, key, value = (torch.randn(3, 5, E, generator=g, dtype=F64) for _ in range(3))
    with torch.no_grad():
        hits = matching(found, p, torch_mha, student(query, key, value), query, key, value)
    return p, found, hits


@pytest.mark.parametrize("module,most", [(Fused, 6), (Separate, 4), (PerHead, 2)])
def test_multi_head_attention_built_three_ways_maps_onto_torch(module, most):
    p, found, hits = mha_readings_and_hits(module)
    assert 1 <= len(found) <= most  # the name hints keep the readings few
    assert len(hits) == 1
    assert set(hits[0].names()) == set(p)


def test_without_hints_square_blocks_give_many_readings():
    shapes = {"W_q": (E, E), "W_k": (E, E), "W_v": (E, E), "W_o": (E, E)}
    assert len(find_readings(MHA, shapes, {"E": E})) == 16  # each one pinned, upright or transposed
    assert len(find_readings(MHA, shapes, {"E": E}, hints=False)) == 16 * 24


class Stacked(nn.Module):
    """q, k, v stacked on a first axis (3, E, E) with biases (3, E), order k, v, q; a raw W_o."""

    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.randn(3, E, E))
        self.b = nn.Parameter(torch.randn(3, E))
        self.W_o = nn.Parameter(torch.randn(E, E))

    def forward(self, query, key, value):
        k, v, q = (F.linear(t, self.W[i], self.b[i]) for i, t in enumerate((key, value, query)))
        return attend(q, k, v) @ self.W_o


class FusedForMatmul(nn.Module):
    """A fused in_proj_weight (E, 3E) used as x @ W: named ``weight``, yet only its transpose fits."""

    def __init__(self):
        super().__init__()
        self.in_proj_weight = nn.Parameter(torch.randn(E, 3 * E))
        self.out = nn.Linear(E, E)

    def forward(self, query, key, value):
        w = self.in_proj_weight.chunk(3, dim=1)
        return self.out(attend(query @ w[0], key @ w[1], value @ w[2]))


class NamedBiases(nn.Module):
    """Raw squares and biases whose names share no key (query / bias_q): the hints pair them."""

    def __init__(self):
        super().__init__()
        for role in ("query", "key", "value", "out"):
            setattr(self, role, nn.Parameter(torch.randn(E, E)))
            setattr(self, f"bias_{role[0]}", nn.Parameter(torch.randn(E)))

    def forward(self, query, key, value):
        q, k, v = query @ self.query + self.bias_q, key @ self.key + self.bias_k, value @ self.value
        return attend(q, k, v + self.bias_v) @ self.out + self.bias_o


@pytest.mark.parametrize("module,most", [(Stacked, 24), (FusedForMatmul, 6), (NamedBiases, 16)])
def test_stacked_blocks_weights_stored_for_matmul_and_hinted_biases(module, most):
    p, found, hits = mha_readings_and_hits(module)
    assert len(found) == most  # NamedBiases: each bias on its hinted unit (not 4**4 placements)
    assert len(hits) == 1
    assert set(hits[0].names()) == set(p)


def test_a_raw_weight_is_transposed_only_when_stored_it_fits_nothing():
    shapes = {"in_proj_weight": (E, 3 * E), "out_proj.weight": (E, E)}  # a module's .weight: never
    found = find_readings(MHA, shapes, {"E": E})
    assert {s.weights[0][1].form for s in found.sources} == {"T", "id"}  # in_proj ᵀ, out_proj as is
    assert len(found) == 6  # the three blocks of in_proj in any order
    with pytest.raises(NoLayout) as no:
        find_readings(MHA, shapes, {"E": E}, transpose="none")
    assert no.value.kind == "unknown"


def test_a_two_dimensional_bias_is_a_stack_of_biases():
    shapes = {"W": (3, E, E), "b": (3, E), "W_o.weight": (E, E), "W_o.bias": (E,)}
    found = find_readings(MHA, shapes, {"E": E})
    p = values(shapes)
    for reading in found:  # the bias rows follow the blocks of W, whatever their order
        for unit in "qkv":
            i = reading.source(unit).weights[0][1].rows[0] // E
            assert torch.equal(reading.bias(unit, p), p["b"][i])
    assert torch.equal(found.reading(0).bias("o", p), p["W_o.bias"])
    with pytest.raises(NoLayout):  # (E, 3): no stack of E-sized biases
        find_readings(MHA, {**shapes, "b": (E, 3)}, {"E": E})
