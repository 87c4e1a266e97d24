"""Public tests of tp4-lstm: shipped to students (``check("Q2")``), at least one per graded question.

They check the course's own examples, the documented shapes, and the mistakes the questions warn
about on small cases computed here: the GRU's reset gate applied BEFORE the product and the LSTM's
equations on the cell's own weights (simple layouts), forward as one_step iterated, generation that
reads start, stops at EOS and at maxlen and samples when asked, a k = 2 beam. The hidden tests check
the values on random inputs, the equations under any parameter layout, gradients, learning, and the
generation functions on more models. Self-contained on purpose: only the engine's
``testing`` module is imported (``autograder`` in the kit, ``rnnkit`` in a student folder).
"""

import importlib
import math
import string
import sys

import torch
import torch.nn.functional as F

_ENGINE = "rnnkit" if "rnnkit.run" in sys.modules else "autograder"
_testing = importlib.import_module(f"{_ENGINE}.testing")
grade, Wrong, describe = _testing.grade, _testing.Wrong, _testing.describe
expect_shape, expect_close = _testing.expect_shape, _testing.expect_close

PAD, EOS = 0, 1
LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
CODE = {c: i + 2 for i, c in enumerate(LETTRES)}
VOCAB = 97
EOS_TOKEN = "<EOS>"


def _codes(text):
    return torch.tensor([CODE[c] for c in text], dtype=torch.long)


def _text(column):
    out = []
    for c in column.tolist():
        if c == EOS:
            break
        if c != PAD:
            out.append(LETTRES[c - 2] if 2 <= c < VOCAB else "?")
    return "".join(out)


# --- Q1 ---------------------------------------------------------------------------------------------------


@grade("Q1", points=0.5, visibility="public")
def test_pad_collate_course_example(student):
    """The course's self-test: "C'est. Un. Test." gives a (7, 3) LongTensor, EOS at [5, 2], zeros below column 1's end."""
    samples = [_codes("C'est."), _codes("Un."), _codes("Test.")]
    out = student.call("pad_collate_fn", samples)
    if isinstance(out, (tuple, list)):
        raise Wrong("tp4_pad_returns_tuple", got=describe(out))
    if (
        isinstance(out, torch.Tensor)
        and tuple(out.shape) == (6, 3)
        and not bool((out == EOS).any())
    ):
        raise Wrong("tp4_pad_no_eos")
    expect_shape(out, (7, 3), "pad_collate_fn", "(longest + 1, B)")
    if out.dtype != torch.long:
        raise Wrong("tp4_pad_dtype", got=str(out.dtype).replace("torch.", ""))
    if int(out[5, 2]) != EOS:
        raise Wrong("tp4_pad_course_eos", got=int(out[5, 2]))
    if not bool((out[4:, 1] == PAD).all()):
        raise Wrong("tp4_pad_course_padding", column=out[:, 1].tolist())
    text = " ".join(_text(column) for column in out.t())
    if text != "C'est. Un. Test.":
        raise Wrong("tp4_pad_course_text", got=text)


# --- Q2 ---------------------------------------------------------------------------------------------------


@grade("Q2", points=0.5, visibility="public")
def test_masked_ce_small_example(student):
    """Mean cross-entropy over the non-padding positions of a 3×2 batch (padcar = 0)."""
    g = torch.Generator().manual_seed(7)
    output = torch.randn(3, 2, 5, generator=g)
    target = torch.tensor([[3, 2], [4, 0], [0, 0]])
    value = student.call("maskedCrossEntropy", output, target, 0)
    if hasattr(value, "type_name") and "Loss" in value.type_name:
        raise Wrong("tp4_mce_loss_module", got=value.type_name)
    if not isinstance(value, torch.Tensor):
        raise Wrong(
            "not_a_tensor", function="maskedCrossEntropy", got=describe(value), legend="(scalar)"
        )
    if value.numel() != 1:
        raise Wrong("tp4_mce_no_reduction", got=tuple(value.shape))
    losses = F.cross_entropy(output.reshape(-1, 5), target.reshape(-1), reduction="none")
    mask = (target.reshape(-1) != 0).float()
    got = float(value.reshape(()))
    if abs(got - float((losses * mask).sum())) < 1e-4 and mask.sum() > 1:
        raise Wrong("tp4_mce_sum_not_mean")
    if abs(got - float((losses * mask).sum() / mask.numel())) < 1e-4:
        raise Wrong("tp4_mce_all_positions")
    expect_close(
        value.reshape(()),
        (losses * mask).sum() / mask.sum(),
        "maskedCrossEntropy",
        what="mean over the 3 non-padding positions",
        atol=1e-5,
        rtol=1e-4,
    )


# --- Q3, Q6, Q7: a small table-driven model (the state is a node of a tree of prefixes) --------------------


def _table(tree, default=None):
    """``{prefix: {char or EOS_TOKEN: prob}}`` -> the tensors of the worker's table model."""
    default = default or {EOS_TOKEN: 1.0}
    names = [""] + [n for n in tree if n != ""] + ["*"]
    sink = len(names) - 1
    transitions = torch.full((len(names), VOCAB), sink, dtype=torch.long)
    logits = torch.full((len(names), VOCAB), -30.0)
    for i, name in enumerate(names):
        for token, p in (default if name == "*" else tree[name]).items():
            logits[i, EOS if token == EOS_TOKEN else CODE[token]] = math.log(p)
        for c, code in CODE.items():
            if name != "*" and name + c in tree:
                transitions[i, code] = names.index(name + c)
    return {"transitions": transitions, "logits": logits, "latent": 3, "tuple_state": False}


GREETING = {
    "": {"H": 0.6, "B": 0.4},
    "H": {"i": 0.9, EOS_TOKEN: 0.1},
    "Hi": {"!": 0.7, EOS_TOKEN: 0.3},
    "Hi!": {EOS_TOKEN: 1.0},
    "B": {"o": 1.0},
}
# greedy: "ac" (0.5 × 0.36); the most probable sentence is "bf" (0.4 × 0.9)
BEAM = {
    "": {"a": 0.5, "b": 0.4, EOS_TOKEN: 0.1},
    "a": {"c": 0.36, "d": 0.34, "e": 0.30},
    "b": {"f": 0.9, EOS_TOKEN: 0.1},
}


def _generated(student, name, spec, *args, **kwargs):
    if name == "generate":
        kwargs.setdefault(
            "sample", False
        )  # greedy, asked in the student's own words (or its default)
    out = student.call("@tp4_generate", student.get(name), spec, list(args), kwargs)["results"][0]
    if out is None:
        raise Wrong("tp4_gen_returns_none", function=name)
    if not isinstance(out, str):
        raise Wrong("tp4_gen_not_text", function=name, got=describe(out))
    return out


@grade("Q3", points=0.5, visibility="public")
def test_generate_greedy_small_model(student):
    """Greedy generation on a tiny model: "Hi!" then EOS (not included in the text)."""
    out = _generated(student, "generate", _table(GREETING), EOS, "", 50)
    if out != "Hi!":
        raise Wrong("tp4_gen_greedy_public", expected="Hi!", got=out)


@grade("Q3", points=0.25, visibility="public")
def test_generate_reads_start_and_stops(student):
    """On the same tiny model: start="H" gives "Hi!" and stops at EOS (a few one_step calls, not maxlen), and
    maxlen=2 gives "Hi"."""
    reply = student.call(
        "@tp4_generate",
        student.get("generate"),
        _table(GREETING),
        [EOS, "H", 50],
        {"sample": False},
    )
    out = reply["results"][0]
    if isinstance(out, str) and out.startswith("Hi!") and len(reply["calls"][0]) > 10:
        raise Wrong(
            "tp4_gen_no_stop_at_eos", steps=len(reply["calls"][0]), needed=3
        )  # code2string hides what follows EOS; the step count does not
    out = _generated(student, "generate", _table(GREETING), EOS, "H", 50)
    if out == "HHi!":
        raise Wrong("tp4_gen_ignores_start")
    if out != "Hi!":
        raise Wrong("tp4_gen_greedy_public", expected="Hi!", got=out)
    out = _generated(student, "generate", _table(GREETING), EOS, "", 2)
    if out != "Hi":
        raise Wrong("tp4_gen_maxlen_public", maxlen=2, expected="Hi", got=out)


@grade("Q3", points=0.25, visibility="public")
def test_generate_samples_when_asked(student):
    """sample=True draws from the softmax: 30 generations on a model whose first symbol is H or B (60/40) differ."""
    outs = student.call(
        "@tp4_generate",
        student.get("generate"),
        _table(GREETING),
        [EOS, "", 50],
        {"sample": True},
        30,
    )["results"]
    if any(not isinstance(o, str) for o in outs):
        raise Wrong(
            "tp4_gen_not_text",
            function="generate",
            got=describe(next(o for o in outs if not isinstance(o, str))),
        )
    if len(set(outs)) < 2:
        raise Wrong("tp4_gen_sample_argmax", n=len(outs), text=outs[0])


# --- Q4 ---------------------------------------------------------------------------------------------------


@grade("Q4", points=0.5, visibility="public")
def test_build_model_types(student):
    """build_model("gru", 97, 8, 16): an nn.Embedding(97, 8, padding_idx=0) and a GRU (8, 16, 97)."""
    codes = torch.tensor([[2, 5], [7, 0], [9, 0]])
    info = student.call("@tp4_build", student.get("build_model"), ["gru", VOCAB, 8, 16], codes)
    if info.get("length") != 2:
        raise Wrong("tp4_build_returns", got=info.get("type"))
    emb, rnn = info["emb"], info["rnn"]
    if emb["type"] != "Embedding":
        raise Wrong("tp4_build_not_embedding", got=emb["type"])
    if (emb.get("num_embeddings"), emb.get("embedding_dim")) != (VOCAB, 8):
        raise Wrong(
            "tp4_build_embedding_size",
            got=(emb.get("num_embeddings"), emb.get("embedding_dim")),
            expected=(VOCAB, 8),
        )
    if emb.get("padding_idx") != PAD:
        raise Wrong("tp4_build_padding_idx", got=emb.get("padding_idx"))
    if rnn["type"] != "GRU" or rnn["module"].startswith("torch"):
        raise Wrong("tp4_build_wrong_class", cell="gru", expected="GRU", got=rnn["type"])


# --- Q5a, Q5b ---------------------------------------------------------------------------------------------


def _refuse_torch_cells(student, model, cls):
    reached = student.call("@torch_recurrent", model)
    if reached:
        path, what = reached[0]
        raise Wrong("tp4_wraps_torch_cell", cls=cls, found=f"{what} ({path})")


def _course_layout(student, model, cls):
    """The course asks forward for the hidden vectors, sequence-first, as one tensor (this test's price)."""
    met = student.conventions(model)
    student.adapted(model, cls)
    if met.get("batch_first"):
        raise Wrong("tp4_batch_first", cls=cls)
    if met.get("forward_returns") in ("tuple", "list"):
        raise Wrong("tp4_forward_container", cls=cls, got=met["forward_returns"])


@grade("Q5a", points=0.5, visibility="public")
def test_gru_shapes(student):
    """GRU(3, 5, 7): one_step (4, 3), (4, 5) -> (4, 5); forward (6, 4, 3) -> (6, 4, 5); decode -> (6, 4, 7)."""
    gru = student.model("GRU", "gru", dim=3, latent=5, output=7)
    _refuse_torch_cells(student, gru, "GRU")
    g = torch.Generator().manual_seed(1)
    h = student.method(gru, "one_step", torch.randn(4, 3, generator=g), torch.zeros(4, 5))
    expect_shape(h, (4, 5), "GRU.one_step", "(B, H)")
    hs = student.method(gru, "forward", torch.randn(6, 4, 3, generator=g))
    expect_shape(hs, (6, 4, 5), "GRU.forward", "(L, B, H)")
    expect_shape(student.method(gru, "decode", hs), (6, 4, 7), "GRU.decode", "(L, B, V)")
    _course_layout(student, gru, "GRU")


@grade("Q5b", points=0.5, visibility="public")
def test_lstm_shapes(student):
    """LSTM(3, 5, 7): one_step(x, (h, c)) -> (h, c), each (4, 5); forward (6, 4, 3) -> (6, 4, 5)."""
    lstm = student.model("LSTM", "lstm", dim=3, latent=5, output=7)
    _refuse_torch_cells(student, lstm, "LSTM")
    g = torch.Generator().manual_seed(2)
    state = student.method(
        lstm, "one_step", torch.randn(4, 3, generator=g), (torch.zeros(4, 5), torch.zeros(4, 5))
    )
    if not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise Wrong("tp4_lstm_state_pair", got=describe(state))
    for part in state:
        expect_shape(part, (4, 5), "LSTM.one_step", "(B, H) for h and c")
    hs = student.method(lstm, "forward", torch.randn(6, 4, 3, generator=g))
    expect_shape(hs, (6, 4, 5), "LSTM.forward", "(L, B, H)")
    _course_layout(student, lstm, "LSTM")


# --- Q6 ---------------------------------------------------------------------------------------------------


@grade("Q6", points=0.5, visibility="public")
def test_beam_k1_is_greedy(student):
    """With k = 1, beam search is the greedy generation ("ac" on this small model)."""
    out = _generated(student, "generate_beam", _table(BEAM), EOS, 1, "", 20)
    if out != "ac":
        raise Wrong("tp4_beam_k1_public", expected="ac", got=out)


@grade("Q6", points=0.25, visibility="public")
def test_beam_k2_finds_the_most_probable_sentence(student):
    """With k = 2 on the same model, the beam keeps "b" (0.4) beside "a" (0.5) and ends with "bf" (0.36 > 0.18)."""
    out = _generated(student, "generate_beam", _table(BEAM), EOS, 2, "", 20)
    if out != "bf":
        raise Wrong("tp4_beam_k2_public", expected="bf", got=out)


# --- Q7 ---------------------------------------------------------------------------------------------------


@grade("Q7", points=0.5, visibility="public")
def test_nucleus_small_example(student):
    """p = (0.5, 0.3, 0.15, 0.05), alpha = 0.7: the nucleus is the first two symbols, renormalised."""
    logits = torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log()
    info = student.call("@tp4_nucleus", student.get("p_nucleus"), 0.7, logits)
    if not info["callable"]:
        raise Wrong("tp4_nucleus_not_callable", got=info["type"])
    out = info["result"]
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        raise Wrong("tp4_nucleus_returns_index", got=describe(out))
    out = expect_shape(out, (1, 4), "p_nucleus(decoder, alpha)(h)", "(B, V)")
    if bool((out.nan_to_num(neginf=-1.0) < 0).any()):
        raise Wrong("tp4_nucleus_log_probs")
    if torch.allclose(out, torch.tensor([[1.0, 0, 0, 0]]), atol=1e-5):
        raise Wrong("tp4_nucleus_drops_crossing")
    if torch.allclose(out, torch.tensor([[0.5, 0.3, 0, 0]]), atol=1e-5):
        raise Wrong("tp4_nucleus_not_renormalised")
    expect_close(
        out,
        torch.tensor([[0.625, 0.375, 0.0, 0.0]]),
        "p_nucleus(decoder, alpha)(h)",
        what="nucleus distribution",
        atol=1e-5,
        rtol=1e-4,
    )


# --- Q5a, Q5b: the lab's equations and forward, checked on the student's own weights ------------------------
#
# The cell's linear layers are read from the shapes of its parameters (D=3, H=5, V=7: H+D, 2H, 3H, 4H and V
# all differ) by the engine's layout library (``testing.find_readings``, the hidden tests' reader): blocks of
# H rows on [h, x] or [x, h], or on h and on x, fused in any gate order, raw tensors possibly transposed.
# Each reading is computed here with the lab's equations and with the mistakes the lab text warns about; the
# one that gives the student's output says which.

CD, CH, CV = 3, 5, 7


def _readings(params, k, limit=5000):
    """Every reading of the cell's parameters as ``k`` gates (the engine's layout library, as the hidden
    tests): lists of (W_h (H, H), W_x (H, D), b) per gate, gates in every order; none when the shapes
    allow none (or more than ``limit``). A tensor with a dimension V (the decoder) is left out."""
    gates = tuple(f"g{i}" for i in range(k))
    target = _testing.Target.gates(gates, "H", {"h": "H", "x": "D"})
    shapes = {n: tuple(t.shape) for n, t in params.items() if CV not in tuple(t.shape)}
    try:
        found = _testing.find_readings(target, shapes, {"D": CD, "H": CH}, limit=limit)
    except _testing.NoLayout:
        return
    p = {n: t.double() for n, t in params.items()}
    for reading in found:
        yield [
            (reading.weight(f"W_h^{g}", p), reading.weight(f"W_x^{g}", p), reading.bias(g, p))
            for g in gates
        ]


def _pre(gate, h, x):
    Wh, Wx, b = gate
    return h @ Wh.t() + x @ Wx.t() + b


def _gru_variants(reading, x, h):
    z_gate, r_gate, n_gate = reading
    z, r = torch.sigmoid(_pre(z_gate, h, x)), torch.sigmoid(_pre(r_gate, h, x))
    Wh, Wx, b = n_gate
    before = torch.tanh((r * h) @ Wh.t() + x @ Wx.t() + b)
    after = torch.tanh(r * (h @ Wh.t()) + x @ Wx.t() + b)
    return {
        None: (1 - z) * h + z * before,
        "tp4_gru_mirrored_z": z * h + (1 - z) * before,
        "tp4_gru_reset_after_product": (1 - z) * h + z * after,
        "tp4_gru_torch_formulation": z * h + (1 - z) * after,
    }


def _lstm_variants(reading, x, h, c):
    pre = [_pre(g, h, x) for g in reading]
    f, i, o = (torch.sigmoid(p) for p in (pre[0], pre[1], pre[3]))
    g = torch.tanh(pre[2])
    c_new = f * c + i * g
    soft = [torch.softmax(p, dim=-1) for p in (pre[0], pre[1], pre[3])]
    c_soft = soft[0] * c + soft[1] * g
    return {
        None: (o * torch.tanh(c_new), c_new),
        "tp4_lstm_state_swapped": (c_new, o * torch.tanh(c_new)),
        "tp4_lstm_no_forget_gate": (o * torch.tanh(c + i * g), c + i * g),
        "tp4_lstm_no_tanh_cell": (o * c_new, c_new),
        "tp4_lstm_old_cell": (o * torch.tanh(c), c_new),
        "tp4_lstm_softmax_gates": (soft[2] * torch.tanh(c_soft), c_soft),
    }


def _close_pair(got, want):
    return all(
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and bool(((a.double() - b).abs() <= 1e-5 + 1e-4 * b.abs()).all())
        for a, b in zip(got, want)
    )


def _judge_cell(student, model, cls, out, variants, k, fewer=None):
    """Pass when a reading gives ``out`` with the lab's equations; name the mistake a reading explains.

    ``fewer``: (key, variant) for a cell with one gate layer less (an LSTM without its forget gate)."""
    params = student.parameters(model)
    # every matrix an nn.Linear-style ``weight``: its orientation is known, so a reading that does
    # not give ``out`` is a mistake in the equations
    plain = all(
        n.endswith("weight") for n, t in params.items() if t.dim() == 2 and CV not in t.shape
    )
    named, any_reading = None, False
    for reading in _readings(params, k):
        any_reading = True
        for key, want in variants(reading).items():
            if _close_pair(out, want if isinstance(want, tuple) else (want,)):
                if key is None:
                    return
                named = named or key
    if named:
        raise Wrong(named)
    if not any_reading and fewer is not None:
        key, variant = fewer
        if any(_close_pair(out, variant(reading)) for reading in _readings(params, k - 1)):
            raise Wrong(key)
    if any_reading and plain:
        raise Wrong("tp4_gru_equations" if cls == "GRU" else "tp4_lstm_equations")


@grade("Q5a", points=0.25, visibility="public")
def test_gru_one_step_follows_the_lab_equations(student):
    """GRU(3, 5, 7).one_step on its own weights: z, r = σ(W·[h, x] + b), h̃ = tanh(W·[r⊙h, x] + b) (r BEFORE the
    product), h' = (1 − z)⊙h + z⊙h̃."""
    gru = student.model("GRU", "gru", dim=CD, latent=CH, output=CV)
    _refuse_torch_cells(student, gru, "GRU")
    g = torch.Generator().manual_seed(3)
    x, h = torch.randn(6, CD, generator=g), 0.8 * torch.randn(6, CH, generator=g)
    out = student.method(gru, "one_step", x, h)
    if isinstance(out, (tuple, list)):
        raise Wrong("tp4_gru_state_tuple", got=describe(out))
    expect_shape(out, (6, CH), "GRU.one_step", "(B, H)")
    _judge_cell(student, gru, "GRU", (out,), lambda r: _gru_variants(r, x.double(), h.double()), 3)


@grade("Q5b", points=0.25, visibility="public")
def test_lstm_one_step_follows_the_lab_equations(student):
    """LSTM(3, 5, 7).one_step on its own weights: f, i, o = σ(W·[h, x] + b), c' = f⊙c + i⊙tanh(W_C·[h, x] + b_C),
    h' = o⊙tanh(c'), returned as (h', c')."""
    lstm = student.model("LSTM", "lstm", dim=CD, latent=CH, output=CV)
    _refuse_torch_cells(student, lstm, "LSTM")
    g = torch.Generator().manual_seed(4)
    x, h, c = (
        torch.randn(6, CD, generator=g),
        0.8 * torch.randn(6, CH, generator=g),
        0.8 * torch.randn(6, CH, generator=g),
    )
    out = student.method(lstm, "one_step", x, (h, c))
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise Wrong("tp4_lstm_state_pair", got=describe(out))
    for part in out:
        expect_shape(part, (6, CH), "LSTM.one_step", "(B, H) for h and c")
    x, h, c = x.double(), h.double(), c.double()

    def no_forget(reading):  # three gate layers: i, candidate, o
        i, o = torch.sigmoid(_pre(reading[0], h, x)), torch.sigmoid(_pre(reading[2], h, x))
        c_new = c + i * torch.tanh(_pre(reading[1], h, x))
        return o * torch.tanh(c_new), c_new

    _judge_cell(
        student,
        lstm,
        "LSTM",
        tuple(out),
        lambda r: _lstm_variants(r, x, h, c),
        4,
        fewer=("tp4_lstm_no_forget_gate", no_forget),
    )


def _forward_is_one_step_iterated(student, model, cls):
    """forward(x) from the initial state = hidden(state) after each one_step, the state carried from step to step."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(5, 3, CD, generator=g)
    hs = expect_shape(
        student.method(model, "forward", x), (5, 3, CH), f"{cls}.forward", "(L, B, H)"
    )
    states = student.call("@tp4_unroll", model, x, student.method(model, "init_state", 3))
    expected = torch.stack([s[0] if isinstance(s, (tuple, list)) else s for s in states])
    if _close_pair((hs,), (expected.double(),)):
        return
    if _close_pair((hs[1:],), (expected[:-1].double(),)):
        raise Wrong("tp4_forward_shifted", cls=cls)
    raise Wrong("tp4_forward_values", cls=cls)


@grade("Q5a", points=0.25, visibility="public")
def test_gru_forward_is_one_step_iterated(student):
    """GRU.forward(x) gives hidden(state) after each one_step, from init_state, each state fed to the next step."""
    gru = student.model("GRU", "gru", dim=CD, latent=CH, output=CV)
    _forward_is_one_step_iterated(student, gru, "GRU")


@grade("Q5b", points=0.25, visibility="public")
def test_lstm_forward_is_one_step_iterated(student):
    """LSTM.forward(x) gives h after each one_step, from init_state, both h and c fed to the next step."""
    lstm = student.model("LSTM", "lstm", dim=CD, latent=CH, output=CV)
    _forward_is_one_step_iterated(student, lstm, "LSTM")
