"""Grader-side helpers of the tp3-rnn hidden tests (not a test file: pytest does not collect it).

Everything here runs in the grader: reading the student's ``forward`` (shared with the public
tests), identifying the student's RNN parameters from their shapes, the lab's equations computed
independently in float64 (``torch.nn.RNN`` and hand-written variants), a layout-free fit of
``one_step`` when no identification works, the stand-in models' maths, and the data and settings
of the learning tests (also used by ``python -m autograder calibrate tp3-rnn``). Student code is only
reached through the ``student`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

try:  # the kit's engine (in a student folder it is shipped as ``rnnkit``; hidden tests never are)
    from autograder.channel import StudentError
    from autograder.testing import (  # noqa: F401 (re-exported to the tests)
        NoLayout,
        Target,
        Wrong,
        describe,
        find_readings,
        lab_module,
    )
except ImportError:  # pragma: no cover
    from rnnkit.channel import StudentError
    from rnnkit.testing import (  # noqa: F401
        NoLayout,
        Target,
        Wrong,
        describe,
        find_readings,
        lab_module,
    )

F64 = torch.float64
HERE = Path(__file__).resolve().parent


PUBLIC = lab_module(__file__, "test_public")  # what the public tests read, shared
Reading, read_forward, forward_reading, format_problem, close, unwrap = (
    PUBLIC.Reading,
    PUBLIC.read_forward,
    PUBLIC.forward_reading,
    PUBLIC.format_problem,
    PUBLIC.close,
    PUBLIC.unwrap,
)
PROBE_STYLES, probe_weights, new_rnn = PUBLIC.PROBE_STYLES, PUBLIC.probe_weights, PUBLIC.new_rnn
forward_problem, worst = PUBLIC.forward_problem, PUBLIC.worst
D, H, O, L, B = PUBLIC.D, PUBLIC.H, PUBLIC.O, PUBLIC.L, PUBLIC.B


def raise_student(result: dict, where: str):
    """Re-raise a failure that ``@tp3_calls`` brought back as data, as the student's own error."""
    kind, _, message = result["error"].partition(": ")
    raise StudentError(
        {
            "kind": "not_implemented" if result.get("not_implemented") else "raised",
            "type": kind,
            "message": message,
            "where": where,
        }
    )


def ok(result: dict, where: str):
    if "error" in result:
        raise_student(result, where)
    return result["ok"]


def worst_index(a: torch.Tensor, b: torch.Tensor) -> tuple:
    diff = (a.double() - b.double()).abs()
    return tuple(int(i) for i in torch.unravel_index(torch.argmax(diff), diff.shape))


# --- the student's model in float64 ----------------------------------------------------------------


def to_float64(student, model):
    """The model converted to float64 (same object), or None when that fails."""
    try:
        return student.call("@to_dtype", model, "float64")
    except StudentError:
        return None


def shapes_of(student, model) -> dict:
    return {name: tuple(p.shape) for name, p in student.parameters(model).items()}


def shapes_text(shapes: dict) -> str:
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items()) or "aucun / none"


# --- identifying the parameters by their shapes ---------------------------------------------------------


# The lab's RNN as linear blocks (autograder.layouts): W_i (H, D) on x and W_h (H, H) on h add up
# into the hidden state; the decoder W_d (O, H), when there is one, reads it out. Raw parameters and
# Linear weights alike may be transposed (a square W_h is tried both ways).
RNN_BLOCKS = Target.of(
    inputs={"x": "D", "h": "H"},
    units={"cell": ("H", {"x": "W_i", "h": "W_h"}), "decoder": ("O", {"h": "W_d"})},
    optional=("decoder",),
)


@dataclass(frozen=True)
class Layout:
    """One reading of the student's named parameters as the lab's W_i, W_h, b (and decoder W_d, b_d)."""

    description: str
    canonical: Callable[[dict], tuple]  # {name: tensor} -> Wi (H, D), Wh (H, H), b (H,) or None
    decoder: Callable[[dict], tuple] | None  # {name: tensor} -> Wd (O, H), bd (O,) or None
    has_bias: bool


def find_layouts(shapes: dict, d: int = D, h: int = H, o: int = O) -> list[Layout]:
    """Every reading (by shape) of the parameters as the lab's RNN; needs d, h, o, d + h all different.

    A square W_h is tried both ways (``W h`` and ``h W``), one Linear on a concatenation as
    ``[x, h]`` and ``[h, x]``; several bias vectors of the hidden size add up (one per Linear).
    ``NoLayout`` (``autograder.layouts``): kind "unknown" or "missing".
    """
    found = find_readings(RNN_BLOCKS, shapes, {"D": d, "H": h, "O": o}, transpose="all")

    def bias(reading, unit, p):
        return reading.bias(unit, p) if reading.has_bias(unit) else None

    layouts = []
    for reading in found:
        decoder = None
        if reading.has("decoder"):

            def decoder(p, r=reading):
                return r.weight("W_d", p), bias(r, "decoder", p)

        layouts.append(
            Layout(
                reading.description,
                lambda p, r=reading: (r.weight("W_i", p), r.weight("W_h", p), bias(r, "cell", p)),
                decoder,
                reading.has_bias("cell"),
            )
        )
    return layouts


def random_values(shapes: dict, generator: torch.Generator, scale: float = 0.5, dtype=F64) -> dict:
    return {
        name: scale * torch.randn(tuple(shape), generator=generator, dtype=dtype)
        for name, shape in shapes.items()
    }


def tame_values(shapes: dict, generator: torch.Generator, dtype=F64) -> dict:
    """Values that keep any layout's pre-activations moderate: std 1/sqrt(largest dimension)."""
    return {
        name: torch.randn(tuple(shape), generator=generator, dtype=dtype)
        / max(max(shape, default=1), 1) ** 0.5
        for name, shape in shapes.items()
    }


# --- the lab's equations, computed here ----------------------------------------------------------------------


def torch_rnn_states(Wi, Wh, b, x, h0):
    """h_1..h_L of ``torch.nn.RNN(tanh)`` with these weights (differentiable w.r.t. all of them)."""
    d, h = Wi.shape[1], Wi.shape[0]
    rnn = nn.RNN(d, h, nonlinearity="tanh")
    zeros = torch.zeros(h, dtype=Wi.dtype)
    params = {
        "weight_ih_l0": Wi,
        "weight_hh_l0": Wh,
        "bias_ih_l0": zeros if b is None else b,
        "bias_hh_l0": zeros,
    }
    out, _ = torch.func.functional_call(rnn, params, (x, h0[None]))
    return out


def detached_states(Wi, Wh, b, x, h0):
    """The recurrence with the state detached at each step (truncated backpropagation), float64."""
    b = torch.zeros(Wi.shape[0], dtype=Wi.dtype) if b is None else b
    state, out = h0, []
    for x_t in x:
        state = torch.tanh(x_t @ Wi.T + state.detach() @ Wh.T + b)
        out.append(state)
    return torch.stack(out)


# --- a layout-free fit of one_step ----------------------------------------------------------------------------


@dataclass
class Fit:
    """What one_step computes, judged from its outputs on random inputs."""

    kind: str  # "tanh" (tanh of an affine map) | "relu" | "sigmoid" | "none" (affine) | "unknown"
    Wi: torch.Tensor | None = None
    Wh: torch.Tensor | None = None
    b: torch.Tensor | None = None


def _affine_fit(inputs: torch.Tensor, targets: torch.Tensor, tol: float):
    design = torch.cat([inputs, torch.ones(len(inputs), 1, dtype=inputs.dtype)], dim=1)
    solution = torch.linalg.lstsq(design, targets).solution
    residual = (design @ solution - targets).abs().max()
    scale = targets.abs().max().clamp_min(1e-12)
    return solution, bool(residual <= tol * scale)


def fit_one_step(student, model, d: int, h: int, generator, dtype=F64) -> Fit:
    """Fit atanh(one_step(x, h)) as an affine map of [x, h] (and the other activations' inverses)."""
    n = 4 * (d + h + 1)
    X = 0.5 * torch.randn(n, d, generator=generator, dtype=dtype)
    S = 0.5 * torch.randn(n, h, generator=generator, dtype=dtype)
    out = ok(student.call("@tp3_calls", model, [["one_step", [X, S], {}]])[0], "RNN.one_step")
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (n, h):
        return Fit("unknown")
    out = out.to(F64)
    inputs = torch.cat([X, S], dim=1).to(F64)
    tol = 1e-7 if dtype == F64 else 2e-3

    def split(solution):
        return (
            solution[:d].T.contiguous(),
            solution[d : d + h].T.contiguous(),
            solution[-1].contiguous(),
        )

    if bool(torch.isfinite(out).all()):
        if bool((out.abs() < 1).all()):
            solution, good = _affine_fit(inputs, torch.atanh(out), tol)
            if good:
                return Fit("tanh", *split(solution))
        solution, good = _affine_fit(inputs, out, tol)
        if good:
            return Fit("none", *split(solution))
        if bool((out >= 0).all()) and bool((out == 0).any()):
            return Fit("relu")
        if bool((out > 0).all()) and bool((out < 1).all()):
            solution, good = _affine_fit(inputs, torch.logit(out), tol)
            if good:
                return Fit("sigmoid", *split(solution))
    return Fit("unknown")


def frozen_weights(student, pinned, fit: Fit, generator) -> str:
    """Which of W_i, W_h stays the same when every parameter gets other values: a plain tensor, not a Parameter."""
    student.set_parameters(pinned.model, random_values(pinned.shapes, generator, 0.5))
    other = fit_one_step(
        student, pinned.model, fit.Wi.shape[1], fit.Wi.shape[0], generator, pinned.dtype
    )
    student.set_parameters(pinned.model, pinned.values)
    if other.kind != "tanh":
        return ""
    same = [
        name
        for name, a, b in (("W_i", fit.Wi, other.Wi), ("W_h", fit.Wh, other.Wh))
        if float((a - b).abs().max()) <= 1e-6 * max(1.0, float(a.abs().max()))
    ]
    return ", ".join(same)


def fit_problem(fit: Fit, scale: float = 1.0) -> str | None:
    """The catalog key of what a fitted one_step gets wrong (None for a proper tanh cell)."""
    if fit.kind == "relu":
        return "tp3_activation_relu"
    if fit.kind == "sigmoid":
        return "tp3_activation_sigmoid"
    if fit.kind == "none":
        return "tp3_no_activation"
    if fit.kind != "tanh":
        return "tp3_one_step_not_rnn"
    tiny = 1e-6 * scale
    off_diagonal = fit.Wh - torch.diag(torch.diagonal(fit.Wh))
    if float(fit.Wh.abs().max()) <= tiny:
        return "tp3_one_step_ignores_h"
    if float(off_diagonal.abs().max()) <= tiny:
        return "tp3_diagonal_recurrence"
    if float(fit.b.abs().max()) <= tiny:
        return "tp3_no_hidden_bias"
    return None


# --- the student's forward, read and explained (forward_problem: shared with the public tests) -------------


@dataclass
class Diagnosis:
    """How to call the student's RNN (the adapter) and how its decode behaves."""

    reading: Reading
    decode: str  # raw | softmax | log_softmax | sigmoid | other

    def spec(self, latent: int, task: str) -> dict:
        """The worker's adapter for a training loop; ``task``: classify | forecast | language."""
        if task == "forecast":
            readout = {"raw": "raw", "sigmoid": "logit"}.get(self.decode, "linear")
        else:
            readout = {"softmax": "log", "sigmoid": "logit"}.get(self.decode, "raw")
        return self.reading.spec(latent, readout=readout)


def decode_kind(out: torch.Tensor, inputs: torch.Tensor) -> str:
    """raw (affine) | softmax | log_softmax | sigmoid | tanh | other, from decode's outputs on ``inputs``."""
    out = out.to(F64)
    if not bool(torch.isfinite(out).all()):
        return "other"
    inputs = inputs.to(F64)
    if _affine_fit(inputs, out, 1e-5)[1]:
        return "raw"
    rows = out.sum(dim=-1)
    if bool((out >= 0).all()) and bool(((rows - 1).abs() < 1e-4).all()):
        return "softmax"
    if bool((out <= 0).all()) and bool(((out.exp().sum(dim=-1) - 1).abs() < 1e-4).all()):
        return "log_softmax"
    if bool((out > 0).all()) and bool((out < 1).all()):
        return "sigmoid"
    if bool((out.abs() < 1).all()) and _affine_fit(inputs, torch.atanh(out), 1e-4)[1]:
        return "tanh"
    return "other"


def diagnose(student, generator) -> Diagnosis:
    """Probe a fresh RNN(D, H, O): how forward must be called, and what decode does."""
    model = new_rnn(student, D, H, O)
    x, h0 = torch.randn(L, B, D, generator=generator), 0.5 * torch.randn(B, H, generator=generator)
    reading, _ = forward_reading(student, model, x, h0, H)
    if reading.states is None:
        key, params = format_problem(reading, L, B, H)
        raise Wrong(key, **params)
    states = torch.randn(16, H, generator=generator)
    result = student.call("@tp3_calls", model, [["decode", [states], {}]])[0]
    out = ok(result, "RNN.decode")
    kind = (
        decode_kind(out, states)
        if isinstance(out, torch.Tensor) and tuple(out.shape) == (16, O)
        else "other"
    )
    return Diagnosis(reading, kind)


# --- stand-in models' maths (float64) -------------------------------------------------------------------------


def probe_states(A, R, x, h0=None):
    A, R, x = A.to(F64), R.to(F64), x.to(F64)
    state = torch.zeros(x.shape[1], A.shape[1], dtype=F64) if h0 is None else h0.to(F64)
    out = []
    for x_t in x:
        state = state @ R + x_t @ A
        out.append(state)
    return torch.stack(out)


def probe_decode(Bm, c, states):
    return states.to(F64) @ Bm.to(F64) + c.to(F64)


def make_probe(student, weights, style):
    batch_first, container = style
    return student.call("@tp3_probe_rnn", *weights, batch_first, container)


def first_failure(errors: list):
    """The failure to report after trying every stand-in style: the plain style's, unless not implemented."""
    for err in errors:
        if isinstance(err, StudentError) and err.kind == "not_implemented":
            return err
    return errors[0]


# --- data of the learning tests (generated here, with seeds the students do not know) -----------------------


@dataclass(frozen=True)
class Classification:
    x: torch.Tensor  # (N, L, dim) windows of the training days, normalised by the training maxima
    y: torch.Tensor  # (N,) station
    x_eval: torch.Tensor  # (M, L, dim) windows of other days
    y_eval: torch.Tensor


@dataclass(frozen=True)
class Forecasting:
    x: torch.Tensor  # (N, L, dim) series of one station each
    x_eval: torch.Tensor  # (M, L, dim)


@dataclass(frozen=True)
class Language:
    x: torch.Tensor  # (N, n) left-padded sentences (inputs)
    y: torch.Tensor  # (N, n) targets, shifted by one
    x_eval: torch.Tensor
    y_eval: torch.Tensor
    unigram: float  # cross-entropy of the training unigram frequencies on the evaluation targets


# The settings of the learning tests; calibrated by ``python -m autograder calibrate tp3-rnn``.
CLASSIFICATION = dict(
    stations=10,
    dim=2,
    length=20,
    days=(8, 4),
    n_train=4096,
    n_eval=1000,
    latent=32,
    epochs=5,
    batch=128,
    lr=0.012,
    max_seconds=8.0,
)
FORECASTING = dict(
    stations=20,
    dim=2,
    length=16,
    days=(8, 4),
    n_train=2048,
    n_eval=1024,
    latent=32,
    epochs=6,
    batch=64,
    lr=0.02,
    horizon=3,
    max_seconds=8.0,
)
LANGUAGE = dict(
    maxlen=30,
    n_train=600,
    n_eval=200,
    emb=16,
    latent=64,
    epochs=6,
    batch=32,
    lr=0.03,
    max_seconds=8.0,
)
ACCURACY_THRESHOLD = 0.25  # chance 0.10; see the README's calibration table
PERSISTENCE_RATIO = 0.95  # mean MSE over horizons 1-3, model / persistence, must be below
LANGUAGE_THRESHOLD = 2.80  # nats per character; uniform 4.55, unigram about 3.1

# Hidden data seeds (the notebook's default metro seed is 34): constants of the hidden tests.
CLASSIFICATION_SEED, FORECASTING_SEED, LANGUAGE_SEED = 80_917, 52_361, 71_003


def _windows(data: torch.Tensor, maxima: torch.Tensor, length: int, n: int, generator):
    days, slots, stations, _ = data.shape
    x = data / maxima
    day = torch.randint(0, days, (n,), generator=generator)
    start = torch.randint(0, slots - length + 1, (n,), generator=generator)
    station = torch.randint(0, stations, (n,), generator=generator)
    windows = torch.stack(
        [x[d, t : t + length, s] for d, t, s in zip(day.tolist(), start.tolist(), station.tolist())]
    )
    return windows, station


def classification_data(seed: int, cfg: dict = CLASSIFICATION) -> Classification:
    from autograder.coursedata import generate_metro

    train, test = generate_metro(
        seed=seed,
        n_train_days=cfg["days"][0],
        n_test_days=cfg["days"][1],
        n_stations=cfg["stations"],
    )
    train, test = train[..., : cfg["dim"]], test[..., : cfg["dim"]]
    maxima = train.reshape(-1, cfg["stations"], cfg["dim"]).max(0)[0]
    g = torch.Generator().manual_seed(seed)
    x, y = _windows(train, maxima, cfg["length"], cfg["n_train"], g)
    x_eval, y_eval = _windows(test, maxima, cfg["length"], cfg["n_eval"], g)
    return Classification(x, y, x_eval, y_eval)


def forecasting_data(seed: int, cfg: dict = FORECASTING) -> Forecasting:
    from autograder.coursedata import generate_metro

    train, test = generate_metro(
        seed=seed,
        n_train_days=cfg["days"][0],
        n_test_days=cfg["days"][1],
        n_stations=cfg["stations"],
    )
    train, test = train[..., : cfg["dim"]], test[..., : cfg["dim"]]
    maxima = train.reshape(-1, cfg["stations"], cfg["dim"]).max(0)[0]
    g = torch.Generator().manual_seed(seed)
    return Forecasting(
        _windows(train, maxima, cfg["length"], cfg["n_train"], g)[0],
        _windows(test, maxima, cfg["length"], cfg["n_eval"], g)[0],
    )


def language_data(seed: int, speech_dataset, cfg: dict = LANGUAGE) -> Language:
    """Sentences of the bundled speech sample through the lab's ``SpeechDataset``, split at random."""
    from autograder.coursedata import load_speeches

    text = load_speeches(sample=True, quiet=True).text
    ds = speech_dataset(text, maxlen=cfg["maxlen"])
    X = torch.stack([ds[i][0] for i in range(len(ds))])
    Y = torch.stack([ds[i][1] for i in range(len(ds))])
    order = torch.randperm(len(ds), generator=torch.Generator().manual_seed(seed))
    train, evaluation = (
        order[: cfg["n_train"]],
        order[cfg["n_train"] : cfg["n_train"] + cfg["n_eval"]],
    )
    y_train, y_eval = Y[train], Y[evaluation]
    counts = torch.bincount(y_train[y_train != 0], minlength=96).double() + 1
    counts[0] = 0
    unigram = float(-(torch.log(counts / counts.sum())[y_eval[y_eval != 0]]).mean())
    return Language(X[train], y_train, X[evaluation], y_eval, unigram)


def accuracy(scores: torch.Tensor, labels: torch.Tensor) -> float:
    return float((scores.argmax(dim=1) == labels).double().mean())


def horizon_mse(rollout: torch.Tensor, series: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(model MSE, persistence MSE) per horizon (k,) of a k-step forecast of the last k steps of ``series``."""
    k = rollout.shape[1]
    future = series[:, -k:].double()
    model = ((rollout.double() - future) ** 2).mean(dim=(0, 2))
    persistence = ((series[:, -k - 1 : -k].double() - future) ** 2).mean(dim=(0, 2))
    return model, persistence


def cross_entropy(log_probs: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean negative log-likelihood of the non-null targets (nats per character)."""
    mask = targets != 0
    picked = log_probs.double().gather(2, targets[..., None])[..., 0]
    return float(-picked[mask].mean())


def learning_config(cfg: dict, seed: int, **extra) -> dict:
    keys = ("epochs", "batch", "lr", "max_seconds")
    return {**{k: cfg[k] for k in keys}, "seed": seed, **extra}
