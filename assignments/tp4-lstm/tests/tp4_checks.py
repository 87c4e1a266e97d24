"""Grader-side helpers of the tp4-lstm hidden tests (not a test file: pytest does not collect it).

Everything here runs in the grader: the lab's vocabulary, small table-driven models for the
generation questions with their exact greedy / exhaustive / nucleus answers, the reading of a
student's GRU or LSTM parameters as the lab's equations (any layout), float64 reference cells,
and the static and run-time checks for wrapped ``nn.LSTM``/``nn.GRU``. Student code is only
reached through the ``student`` fixture.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from dataclasses import dataclass

import torch
import torch.nn.functional as F

try:  # the kit's engine (hidden tests are never shipped, but keep the two names working)
    from autograder.channel import StudentError
    from autograder.testing import NoLayout, Readings, Target, Wrong, describe, find_readings
    from autograder.testing import Reading as Found
    from autograder.verdicts import Verdict, hand_written
except ImportError:  # pragma: no cover
    from rnnkit.channel import StudentError
    from rnnkit.testing import NoLayout, Readings, Target, Wrong, describe, find_readings
    from rnnkit.testing import Reading as Found
    from rnnkit.verdicts import Verdict, hand_written

F64 = torch.float64


class one_thread:
    """Grader-side loops of many tiny tensor operations run faster on one thread (no pool wake-ups)."""

    def __enter__(self):
        self.previous = torch.get_num_threads()
        torch.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        torch.set_num_threads(self.previous)
        return False


# --- the lab's vocabulary (textloader.py: fixed by the course) ------------------------------------------
PAD, EOS = 0, 1
LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
CODE = {c: i + 2 for i, c in enumerate(LETTRES)}
CHAR = {i: c for c, i in CODE.items()}
VOCAB = len(LETTRES) + 2  # 97
EOS_TOKEN = "<EOS>"


def normalize(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if c in CODE)


def codes_of(text: str) -> list[int]:
    return [CODE[c] for c in normalize(text)]


def text_of(codes) -> str:
    out = []
    for c in codes:
        if c == EOS:
            break
        if c != PAD:
            out.append(CHAR.get(int(c), "?"))
    return "".join(out)


def sentences(text: str, maxlen: int) -> list[str]:
    """The lab's ``TextDataset`` split: pieces between ".", cut to maxlen, spaces collapsed, "." put back."""
    pieces = (re.sub(r"\s+", " ", p[:maxlen]).strip() for p in text.split("."))
    return [p + "." for p in pieces if p]


# --- learning tests: settings, data and the trivial baseline ------------------------------------------------
# The grader's loop (procedures.py: train_cell) trains a student cell on the bundled speech sample; the
# held-out loss must go below the threshold. Calibrated by `python -m autograder calibrate tp4-lstm`
# (numbers in assignments/tp4-lstm/README.md, section Grading).
LEARNING = {
    "dim": 16,
    "latent": 32,
    "batch": 64,
    "steps": 25,
    "lr": 0.03,
    "maxlen": 15,
    "held_out": 200,
}
LEARNING_THRESHOLD = {"GRU": 2.65, "LSTM": 2.80}
HELD_OUT_SEED = 90417  # which sentences the hidden tests hold out: a constant of the hidden tests


def learning_data(
    split_seed: int = HELD_OUT_SEED, maxlen: int | None = None, held_out: int | None = None
):
    """(training sentences as code tensors, padded held-out batch (L, B)) from the bundled speech sample."""
    from autograder.coursedata.speeches import sample_corpus

    maxlen = maxlen or LEARNING["maxlen"]
    held_out = held_out or LEARNING["held_out"]
    codes = [
        torch.tensor(codes_of(s), dtype=torch.long) for s in sentences(sample_corpus().text, maxlen)
    ]
    codes = [c for c in codes if len(c)]
    order = torch.randperm(len(codes), generator=torch.Generator().manual_seed(split_seed)).tolist()
    held = [codes[i] for i in order[:held_out]]
    train = [codes[i] for i in order[held_out:]]
    return train, pad_batch(held)


def unigram_loss(train: list, held: torch.Tensor) -> float:
    """Held-out loss of the best context-free model: the training frequencies of the symbols (EOS included)."""
    counts = torch.ones(VOCAB, dtype=F64)
    for s in train:
        counts += torch.bincount(torch.cat([s, torch.tensor([EOS])]), minlength=VOCAB).to(F64)
    target = held[1:]
    mask = target != PAD
    return float(-(counts / counts.sum()).log()[target[mask]].mean())


# --- table-driven models for generate / beam / nucleus ----------------------------------------------------

LOW = -30.0  # logit of the symbols a node does not list (probability ~1e-13)
ROW_SHIFTS = (
    0.0,
    0.5,
    -0.25,
    0.75,
    -0.5,
    0.25,
    0.6,
    -0.4,
)  # per-node logit offsets (see make_table)
ROW_SHIFT_PER_SYMBOL = 3.0


def token_code(token: str) -> int:
    return EOS if token == EOS_TOKEN else CODE[token]


@dataclass
class Table:
    """An automaton over prefixes: node 0 is the empty prefix, the last node the sink.

    Built by ``make_table(tree, default)``: ``tree`` maps a prefix (the text read so far, start
    included) to its next-symbol distribution ``{char or EOS_TOKEN: probability}``; a prefix
    missing from ``tree`` falls into the sink, whose distribution is ``default`` and which loops
    on itself.
    """

    transitions: torch.Tensor  # (N, V) long
    logits: torch.Tensor  # (N, V) float32
    names: list[str]

    def spec(self, tuple_state: bool = False) -> dict:
        return {
            "transitions": self.transitions,
            "logits": self.logits,
            "latent": 3,
            "tuple_state": tuple_state,
        }

    def after(self, codes, node: int = 0) -> int:
        for c in codes:
            node = int(self.transitions[node, c])
        return node

    def logp(self, node: int) -> torch.Tensor:
        if not hasattr(self, "_logp"):
            self._logp = torch.log_softmax(self.logits.to(F64), dim=-1)
        return self._logp[node]

    def listed(self, node: int) -> list[int]:
        if not hasattr(self, "_listed"):
            # listed symbols: well above the row's floor (rows are shifted, see make_table)
            self._listed = [
                [int(c) for c in (row > row.min() + 1).nonzero().flatten()] for row in self.logits
            ]
        return self._listed[node]

    def greedy(self, start: str, maxlen: int) -> tuple[str, float, bool]:
        """Text (start included), log-probability of the generated part, and whether EOS ended it."""
        node, out, score = self.after(codes_of(start)), [], 0.0
        while len(out) < maxlen:
            lp = self.logp(node)
            c = int(lp.argmax())
            score += float(lp[c])
            if c == EOS:
                return start + text_of(out), score, True
            out.append(c)
            node = int(self.transitions[node, c])
        return start + text_of(out), score, False

    def exhaustive(self, start: str, maxlen: int) -> list[tuple[float, str, bool]]:
        """Every hypothesis a beam search can end with (listed symbols only), best first.

        A finished hypothesis ends with EOS within ``maxlen`` steps; an unfinished one has
        exactly ``maxlen`` symbols. Scores are sums of log-softmax values (EOS included).
        """
        found: list[tuple[float, str, bool]] = []

        def walk(node, codes, score):
            lp = self.logp(node)
            for c in self.listed(node):
                s = score + float(lp[c])
                if c == EOS:
                    found.append((s, start + text_of(codes), True))
                elif len(codes) + 1 == maxlen:
                    found.append((s, start + text_of(codes + [c]), False))
                else:
                    walk(int(self.transitions[node, c]), codes + [c], s)

        walk(self.after(codes_of(start)), [], 0.0)
        found.sort(key=lambda t: -t[0])
        return found

    def score_of(self, start: str, text: str, maxlen: int) -> float | None:
        """Log-probability of generating ``text`` after ``start`` (then EOS, unless maxlen was reached)."""
        if not text.startswith(start) or normalize(text) != text:
            return None
        codes = codes_of(text[len(start) :])
        if len(codes) > maxlen:
            return None
        node, score = self.after(codes_of(start)), 0.0
        for c in codes:
            score += float(self.logp(node)[c])
            node = int(self.transitions[node, c])
        if len(codes) < maxlen:
            score += float(self.logp(node)[EOS])
        return score

    def path_nodes(self, start: str, text: str) -> list[int]:
        """Nodes visited while generating ``text`` after ``start``: one per emitted symbol, plus the last."""
        node = self.after(codes_of(start))
        nodes = [node]
        for c in codes_of(text[len(start) :]):
            node = int(self.transitions[node, c])
            nodes.append(node)
        return nodes


def make_table(tree: dict[str, dict[str, float]], default: dict[str, float] | None = None) -> Table:
    default = default or {EOS_TOKEN: 1.0}
    names = [""] + [name for name in tree if name != ""] + ["*"]  # node 0: the empty prefix
    index = {name: i for i, name in enumerate(names)}
    sink = len(names) - 1
    n = len(names)
    transitions = torch.full((n, VOCAB), sink, dtype=torch.long)
    logits = torch.full((n, VOCAB), LOW, dtype=torch.float32)
    for name, i in index.items():
        dist = default if name == "*" else tree[name]
        total = sum(dist.values())
        for token, p in dist.items():
            logits[i, token_code(token)] = math.log(p / total)
        # Logits, not log-probabilities: each node's row is shifted by a constant growing with its depth,
        # which the softmax ignores; a search that adds raw logits (no log_softmax) favours long sentences.
        logits[i] += (
            ROW_SHIFT_PER_SYMBOL * (len(name) if name != "*" else 0)
            + ROW_SHIFTS[i % len(ROW_SHIFTS)]
        )
        if name != "*":
            for c, code in CODE.items():
                if name + c in index:
                    transitions[i, code] = index[name + c]
    return Table(transitions, logits, names)


def nucleus_probs(logits: torch.Tensor, alpha: float) -> torch.Tensor:
    """The nucleus distribution of each row (float64): smallest top set of mass >= alpha, renormalised."""
    probs = torch.softmax(logits.to(F64), dim=-1)
    out = torch.zeros_like(probs)
    for row in range(probs.shape[0]):
        order = torch.argsort(probs[row], descending=True)
        mass = 0.0
        for j in order.tolist():
            out[row, j] = probs[row, j]
            mass += float(probs[row, j])
            if mass >= alpha and alpha < 1:
                break
    return out / out.sum(dim=-1, keepdim=True)


def nucleus_dropping_crossing(logits: torch.Tensor, alpha: float) -> torch.Tensor:
    """The usual slip: keep the symbols whose cumulative mass stays below alpha (crossing one dropped)."""
    probs = torch.softmax(logits.to(F64), dim=-1)
    sorted_p, order = torch.sort(probs, dim=-1, descending=True)
    keep_sorted = sorted_p.cumsum(-1) <= alpha
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    kept = probs * keep
    return kept / kept.sum(-1, keepdim=True)


def pad_batch(samples) -> torch.Tensor:
    """The expected ``pad_collate_fn`` batch: sample, EOS, then PAD, (longest + 1, B)."""
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), PAD, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[: len(s), b] = torch.as_tensor(s, dtype=torch.long)
        batch[len(s), b] = EOS
    return batch


def masked_mean_ce(logits: torch.Tensor, target: torch.Tensor, padcar: int = PAD) -> float:
    """Mean cross-entropy (nats per symbol, EOS included) over the non-padding positions, in float64."""
    V = logits.shape[-1]
    ce = F.cross_entropy(logits.to(F64).reshape(-1, V), target.reshape(-1), reduction="none")
    mask = (target.reshape(-1) != padcar).to(F64)
    return float((ce * mask).sum() / mask.sum())


def as_text(value, function: str) -> str:
    """A generation result must be a string: name the usual other returns."""
    if isinstance(value, str):
        return value
    if value is None:
        raise Wrong("tp4_gen_returns_none", function=function)
    if isinstance(value, torch.Tensor) or (
        isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value)
    ):
        raise Wrong("tp4_gen_returns_codes", function=function, got=describe(value))
    raise Wrong("tp4_gen_not_text", function=function, got=describe(value))


# --- static and run-time checks for wrapped torch cells ------------------------------------------------------


def refuse_wrapped(student, source, model, class_name: str) -> Verdict:
    """Wrong when the class uses torch's own recurrent cells instead of the lab's equations.

    Decided in the grader (``autograder.verdicts``): the code the class reaches, and what its
    instance reaches at run time; the verdict returned holds the points for review when the
    submission also contains code that could hide such a use.
    """
    return hand_written(
        student, source, class_name, model, "tp4_wraps_torch_cell", field="found", cls=class_name
    )


# --- reading a GRU / LSTM's parameters as the lab's per-gate blocks -------------------------------------------


NoReading = NoLayout  # no reading of the parameters as the gates' blocks


def gate_blocks(gates: tuple[str, ...]) -> Target:
    """The gates as linear blocks (``autograder.layouts``): per gate, ``W_x^g`` (H, D) on x and
    ``W_h^g`` (H, H) on h (concatenations tried as ``[h, x]`` first)."""
    return Target.gates(tuple(gates), "H", {"h": "H", "x": "D"})


@dataclass(frozen=True)
class Reading:
    """One way to read the student's parameters as per-gate blocks."""

    found: Found

    @property
    def gates(self) -> tuple:
        """``((gate, Source), ...)`` in the lab's gate order."""
        return tuple((u.name, s) for u, s in zip(self.found.target.units, self.found.sources))

    @property
    def description(self) -> str:
        return self.found.description

    def blocks(self, params: dict) -> dict:
        """``{gate: (W_x, W_h, b_x, b_h)}``, differentiable functions of ``params``."""
        return {gate: _gate(source, params) for gate, source in self.gates}

    def names(self) -> list[str]:
        """The parameters the reading uses: per gate, its x block, h block and biases."""
        names = []
        for _, source in self.gates:
            weights = dict(source.weights)
            for piece in (weights["x"], weights["h"], *source.biases):
                if piece.name not in names:
                    names.append(piece.name)
        return names


def _gate(source, params) -> tuple:
    """(W_x, W_h, b_x, b_h) of one gate: the bias of a layer on h alone is b_h, any other b_x."""
    Wx, Wh = source.weight("x", params), source.weight("h", params)
    bh = source.bias(params, Wx.shape[0], Wx.dtype, on=("h",))
    bx = torch.zeros(Wx.shape[0], dtype=Wx.dtype)
    for b in source.biases:
        if b.on != ("h",):
            bx = bx + b.take(params)
    return Wx, Wh, bx, bh


def readings(
    shapes: dict, D: int, H: int, V: int, gates: tuple[str, ...], limit: int = 50000
) -> Readings:
    """Every reading of the parameters (by their shapes) as the blocks of ``gates``.

    ``D``, ``H``, ``V``, ``H + D`` must all differ. A tensor with a dimension ``V`` (the
    decoder) is left out; the rest is ``autograder.layouts``: fused gates in any order, on x, h
    or the concatenation, raw parameters possibly transposed, biases with their layer. Raises
    ``NoReading`` (= ``NoLayout``).
    """
    kept = {name: shape for name, shape in shapes.items() if V not in tuple(shape)}
    return find_readings(gate_blocks(gates), kept, {"D": D, "H": H}, limit=limit)


# --- the lab's cells in float64, and the usual wrong variants ---------------------------------------------------


@dataclass
class Pre:
    """A gate's blocks applied to ``x`` and ``h``: ``x W_xᵀ``, ``h W_hᵀ``, ``W_h``, ``b_x``, ``b_h``.

    Every tensor may carry a leading dimension R (all readings evaluated at once).
    """

    xw: torch.Tensor
    hw: torch.Tensor
    wh: torch.Tensor
    bx: torch.Tensor
    bh: torch.Tensor

    def total(self):
        return self.xw + self.hw + self.bx + self.bh


def pre_from_blocks(blocks: dict, x, h) -> dict:
    return {g: Pre(x @ Wx.T, h @ Wh.T, Wh, bx, bh) for g, (Wx, Wh, bx, bh) in blocks.items()}


def pre_of_readings(found: Readings, params: dict, x, h) -> dict:
    """``{gate: Pre}`` with a leading dimension R: every reading of ``found`` at once."""

    def parts(source):
        Wx, Wh, bx, bh = _gate(source, params)
        return torch.cat([(x @ Wx.T).flatten(), (h @ Wh.T).flatten(), Wh.flatten(), bx, bh])

    B, Hn = h.shape
    out = {}
    for gate, values in found.evaluate(parts).items():
        xw, hw, wh, bx, bh = values.split([B * Hn, B * Hn, Hn * Hn, Hn, Hn], dim=1)
        R = values.shape[0]
        out[gate] = Pre(
            xw.reshape(R, B, Hn),
            hw.reshape(R, B, Hn),
            wh.reshape(R, Hn, Hn),
            bx[:, None],
            bh[:, None],
        )
    return out


def gru_cell(pre: dict, x, h, variant: str = "lab"):
    """The lab's GRU (reset before the product, ``(1-z)h + z·h~``) and its look-alikes.

    variant: "lab", "mirrored" (``z·h + (1-z)·h~``), "reset_after" (``r`` applied after the
    product, as torch does, with the lab's z), "torch" (torch.nn.GRU: reset after and mirrored z).
    """
    z = torch.sigmoid(pre["z"].total())
    r = torch.sigmoid(pre["r"].total())
    n = pre["n"]
    if variant in ("lab", "mirrored"):
        n = torch.tanh(n.xw + (r * h) @ n.wh.transpose(-1, -2) + n.bx + n.bh)
    else:
        n = torch.tanh(n.xw + n.bx + r * (n.hw + n.bh))
    if variant in ("lab", "reset_after"):
        return (1 - z) * h + z * n
    return z * h + (1 - z) * n


GRU_VARIANTS = ("lab", "mirrored", "torch", "reset_after")


def lstm_cell(pre: dict, x, h, c, variant: str = "lab"):
    """The lab's LSTM (= torch.nn.LSTM) and its usual slips; returns ``(h', c')``.

    variant: "lab", "softmax_gates" (softmax instead of sigmoid on f, i, o), "no_forget"
    (``c' = c + i·g``: three gates i, g, o), "no_tanh_cell" (``h' = o·c'``), "old_cell"
    (``h' = o·tanh(c)``, the previous cell), "sigmoid_candidate" (``g = σ(.)``).
    """
    act = (lambda t: torch.softmax(t, dim=-1)) if variant == "softmax_gates" else torch.sigmoid
    i = act(pre["i"].total())
    o = act(pre["o"].total())
    g = (torch.sigmoid if variant == "sigmoid_candidate" else torch.tanh)(pre["g"].total())
    if variant == "no_forget":
        c_new = c + i * g
    else:
        c_new = act(pre["f"].total()) * c + i * g
    if variant == "no_tanh_cell":
        return o * c_new, c_new
    if variant == "old_cell":
        return o * torch.tanh(c), c_new
    return o * torch.tanh(c_new), c_new


LSTM_VARIANTS = (
    "lab",
    "softmax_gates",
    "no_forget",
    "no_tanh_cell",
    "old_cell",
    "sigmoid_candidate",
)


def lstm_gates(variant: str) -> tuple[str, ...]:
    return ("i", "g", "o") if variant == "no_forget" else ("i", "f", "g", "o")


def nn_lstm_forward(blocks, x, h0, c0):
    """torch.nn.LSTM itself (one layer, weights from the blocks in its i, f, g, o order)."""
    from torch.func import functional_call

    H = h0.shape[-1]
    lstm = torch.nn.LSTM(x.shape[-1], H).to(F64)
    order = ("i", "f", "g", "o")
    weights = {
        "weight_ih_l0": torch.cat([blocks[g][0] for g in order]),
        "weight_hh_l0": torch.cat([blocks[g][1] for g in order]),
        "bias_ih_l0": torch.cat([blocks[g][2] for g in order]),
        "bias_hh_l0": torch.cat([blocks[g][3] for g in order]),
    }
    out, (hn, cn) = functional_call(lstm, weights, (x, (h0[None], c0[None])))
    return out, hn[0], cn[0]


def close(a, b, atol=1e-7, rtol=1e-6) -> bool:
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and bool(torch.isfinite(a).all())
        and bool(((a.to(F64) - b.to(F64)).abs() <= atol + rtol * b.to(F64).abs()).all())
    )


def matches(got: torch.Tensor, want: torch.Tensor, atol=1e-8, rtol=1e-6) -> torch.Tensor:
    """(R,) booleans: which of the R candidate outputs ``want`` (R, ...) equal ``got`` (...)."""
    ok = (want - got.to(F64)).abs() <= atol + rtol * want.abs()
    return ok.flatten(1).all(dim=1) & torch.isfinite(want).flatten(1).all(dim=1)


# --- identifying a student's cell ------------------------------------------------------------------------------


@dataclass
class Identified:
    """What a student's cell computes: a reading of its parameters and the variant it matches."""

    reading: Reading | None
    variant: str | None
    params: dict  # the values pinned in the model (float64)
    swapped: bool = False  # LSTM one_step returned (c, h)
    detail: str = ""
    readings_tried: int = 0

    def reading_used(self) -> list[str]:
        """Names of the parameters the identified reading uses (the decoder is not among them)."""
        if self.reading is None:
            return []
        return self.reading.names()


def pin_parameters(student, model, generator, scale: float = 0.6) -> dict:
    """Give every parameter known random values; returns them by name (float64)."""
    params = student.parameters(model)
    values = {
        name: (scale * torch.randn(p.shape, generator=generator, dtype=F64)).to(p.dtype)
        for name, p in params.items()
    }
    student.set_parameters(model, values)
    return {name: v.to(F64) for name, v in values.items()}


def to_float64(student, model) -> bool:
    try:
        student.call("@to_dtype", model, "float64")
        return True
    except StudentError:
        return False


# Tolerances by the dtype the student's model runs in (float64 unless it only runs in float32).
TOLERANCE = {torch.float64: (1e-8, 1e-6), torch.float32: (1e-5, 1e-4)}
GRAD_TOLERANCE = {torch.float64: (1e-7, 1e-5), torch.float32: (1e-4, 1e-3)}
DTYPE_WORDS = ("dtype", "scalar type", "Double", "Float", "float64", "float32")


def dtype_error(err: StudentError) -> bool:
    return err.kind == "raised" and any(w in f"{err.type} {err.message}" for w in DTYPE_WORDS)


def identify_gru(student, model, D, H, V, generator, B=6, dtype=F64) -> Identified:
    """Pin the parameters, run one step, and find the reading and variant that compute it."""
    params = pin_parameters(student, model, generator)
    x = torch.randn(B, D, generator=generator, dtype=F64)
    h = 0.8 * torch.randn(B, H, generator=generator, dtype=F64)
    out = student.method(model, "one_step", x.to(dtype), h.to(dtype))
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        raise Wrong("tp4_gru_state_tuple", got=describe(out))
    used = set(student.call("@tp4_used", model, x.to(dtype), h.to(dtype)))
    if not isinstance(out, torch.Tensor):
        raise Wrong("not_a_tensor", function="GRU.one_step", got=describe(out), legend="(B, H)")
    if tuple(out.shape) != (B, H):
        raise Wrong(
            "shape", function="GRU.one_step", expected=(B, H), got=tuple(out.shape), legend="(B, H)"
        )
    error, tried = "", 0
    for names in _candidate_sets(params, used):
        shapes = {name: tuple(params[name].shape) for name in names}
        try:
            found = readings(shapes, D, H, V, ("z", "r", "n"))
        except NoReading as err:
            error = error or str(err)
            continue
        tried += len(found)
        with torch.no_grad(), one_thread():
            pre = pre_of_readings(found, params, x, h)
            for variant in GRU_VARIANTS:
                hit = matches(out, gru_cell(pre, x, h, variant), *TOLERANCE[dtype]).nonzero()
                if len(hit):
                    return Identified(
                        Reading(found.reading(int(hit[0]))), variant, params, readings_tried=tried
                    )
        error = ""
    return Identified(None, None, params, detail=error, readings_tried=tried)


def _candidate_sets(params: dict, used: set) -> list:
    """The parameters one_step uses (extra layers left over, e.g. by RNN.__init__, are ignored), then all of them."""
    first = [name for name in params if name in used]
    return [first, list(params)] if len(first) < len(params) else [first]


def identify_lstm(student, model, D, H, V, generator, B=6, dtype=F64) -> Identified:
    """Pin the parameters, run one step, and find the reading and variant that compute it."""
    params = pin_parameters(student, model, generator)
    x = torch.randn(B, D, generator=generator, dtype=F64)
    h = 0.8 * torch.randn(B, H, generator=generator, dtype=F64)
    c = 0.8 * torch.randn(B, H, generator=generator, dtype=F64)
    out = student.method(model, "one_step", x.to(dtype), (h.to(dtype), c.to(dtype)))
    if not (
        isinstance(out, (tuple, list))
        and len(out) == 2
        and all(isinstance(t, torch.Tensor) for t in out)
    ):
        raise Wrong("tp4_lstm_state_pair", got=describe(out))
    for t in out:
        if tuple(t.shape) != (B, H):
            raise Wrong(
                "shape",
                function="LSTM.one_step",
                expected=(B, H),
                got=tuple(t.shape),
                legend="(B, H) for h and c",
            )
    used = set(student.call("@tp4_used", model, x.to(dtype), (h.to(dtype), c.to(dtype))))
    tried, any_reading = 0, False
    for names in _candidate_sets(params, used):
        shapes = {name: tuple(params[name].shape) for name in names}
        cache = {}
        with torch.no_grad(), one_thread():
            for variant in LSTM_VARIANTS:
                gates = lstm_gates(variant)
                if gates not in cache:
                    try:
                        found = readings(shapes, D, H, V, gates)
                        cache[gates] = (found, pre_of_readings(found, params, x, h))
                        tried += len(found)
                        any_reading = True
                    except NoReading:
                        cache[gates] = None
                if cache[gates] is None:
                    continue
                found, pre = cache[gates]
                want_h, want_c = lstm_cell(pre, x, h, c, variant)
                for swapped, (a, b) in ((False, out), (True, out[::-1])):
                    hit = (
                        matches(a, want_h, *TOLERANCE[dtype])
                        & matches(b, want_c, *TOLERANCE[dtype])
                    ).nonzero()
                    if len(hit):
                        return Identified(
                            Reading(found.reading(int(hit[0]))),
                            variant,
                            params,
                            swapped=swapped,
                            readings_tried=tried,
                        )
    return Identified(
        None, None, params, detail="" if any_reading else "no reading", readings_tried=tried
    )


def shapes_text(params: dict) -> str:
    return ", ".join(f"{name} {tuple(p.shape)}" for name, p in params.items()) or "none"


# --- forward over a sequence: expected sequences and the usual slips -----------------------------------------------


def chain(step, x, state, hidden, mode: str = "carried"):
    """Hidden vectors (L, B, H) of ``step`` over ``x`` from ``state``.

    mode: "carried" (correct), "not_carried" (every step from the initial state), "shifted"
    (the initial hidden vector first, the last one dropped), "detached" (state detached
    between steps: same values, gradients cut), and for pairs "h_only" / "c_only" (the other
    one reset to its initial value at each step).
    """
    initial = state
    outs = []
    for x_t in x:
        if mode == "not_carried":
            new = step(x_t, initial)
        elif mode == "h_only":
            new = step(x_t, (state[0], initial[1]))
        elif mode == "c_only":
            new = step(x_t, (initial[0], state[1]))
        else:
            new = step(x_t, state)
        state = new
        if mode == "detached":
            state = tuple(s.detach() for s in new) if isinstance(new, tuple) else new.detach()
        outs.append(hidden(new))
    seq = torch.stack(outs)
    if mode == "shifted":
        seq = torch.cat([hidden(initial)[None], seq[:-1]])
    return seq
