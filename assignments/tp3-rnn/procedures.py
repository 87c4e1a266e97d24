"""Worker-side procedures of tp3-rnn (``student.call("@tp3_...", ...)``).

Generic operations only: stand-in models with the lab's API (fixed, simple maths given by the
grader, unrelated to the lab's answers), several calls of a student object in one round trip,
a student RNN run and differentiated through an adapter, and the grader's own training loops.
No expected value, threshold or reference code lives here: the loops return predictions on
inputs the grader sends, and every metric is computed in the grader.

The adapter (``spec``, a dict chosen by the grader from what the student's ``forward`` returns)
lets a model whose ``forward`` deviates from the lab's API in a known way still be trained and
compared: ``input_t`` (it reads batch-first input), ``pass_h`` (it accepts the state),
``container`` ("tensor", "tuple": first element, "list": stacked), ``output_t`` (it returns
batch-first states), ``align`` ("ok", "h0_first", "with_h0", "drop_last", "drop_first").

This module is copied into the worker's folder: standard library and torch only.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from .adapt import call_variants

PLAIN = {"input_t": False, "pass_h": True, "container": "tensor", "output_t": False, "align": "ok"}


# --- values that can cross the channel -----------------------------------------------------------


def _portable(value, depth: int = 0):
    """Tensors detached, tuples/lists of them (short), scalars; any other object as its type name."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)) and len(value) <= 64 and depth < 3:
        items = [_portable(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if (
        isinstance(value, dict)
        and all(isinstance(k, str) and not k.startswith("__") for k in value)
        and depth < 3
    ):
        return {k: _portable(v, depth + 1) for k, v in value.items()}
    return {"type": type(value).__name__}


def _attempt(fn, *args, **kwargs) -> dict:
    """``{"ok": result}`` or ``{"error": "Type: message", "not_implemented": bool}``."""
    try:
        return {"ok": _portable(fn(*args, **kwargs))}
    except Exception as err:  # noqa: BLE001 - the grader decides what a failure means
        return {
            "error": f"{type(err).__name__}: {err}"[:400],
            "not_implemented": isinstance(err, NotImplementedError),
        }


# --- stand-in models (the grader chooses their weights) ---------------------------------------------


class ProbeRNN(nn.Module):
    """A linear recurrent stand-in with the lab's API: h_t = h_{t-1} R + x_t A, decode(h) = h B + c.

    It lets the grader test functions that drive an RNN (``classify``, ``forecast``,
    ``generate_fixed``...) independently of the student's own RNN. ``batch_first`` and
    ``container`` make it mimic a student whose ``forward`` reads batch-first input or returns a
    tuple ``(states, last)`` or a list, so that code written consistently for such a model can
    still be graded.
    """

    def __init__(self, A, R, B, c, batch_first=False, container="tensor"):
        super().__init__()
        self.dim, self.latent, self.output = A.shape[0], A.shape[1], B.shape[1]
        self.input_size, self.hidden_size, self.output_size = self.dim, self.latent, self.output
        self.A, self.R = nn.Parameter(A.clone()), nn.Parameter(R.clone())
        self.B, self.c = nn.Parameter(B.clone()), nn.Parameter(c.clone())
        self.batch_first, self.container = batch_first, container

    def init_state(self, batch):
        return torch.zeros(batch, self.latent, dtype=self.A.dtype, device=self.A.device)

    def one_step(self, x, h):
        return h @ self.R + x @ self.A

    def forward(self, x, h=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        if self.container == "list":
            return states
        out = torch.stack(states)
        if self.batch_first:
            out = out.transpose(0, 1)
        return (out, h) if self.container == "tuple" else out

    def decode(self, h):
        return h @ self.B + self.c


class ProbeEmbedding(nn.Module):
    """A fixed lookup table: ``x`` (any shape, integer ids) -> ``table[x]`` (..., E)."""

    def __init__(self, table):
        super().__init__()
        self.table = nn.Parameter(table.clone())
        self.vocab_size, self.dim = table.shape

    def forward(self, x):
        return self.table[x]


def probe_rnn(A, R, B, c, batch_first=False, container="tensor"):
    return ProbeRNN(A, R, B, c, batch_first, container)


def probe_embedding(table):
    return ProbeEmbedding(table)


def loader(xs, ys, batch_size):
    """A DataLoader over ``(xs[i], ys[i])`` in order, as the notebook's functions expect one."""
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(xs, ys), batch_size=batch_size, shuffle=False)


# --- several calls in one round trip -------------------------------------------------------------------


def calls(obj, items: list) -> list:
    """``[[attr, args, kwargs], ...]`` on one object (attr "" calls the object itself); one result each."""
    out = []
    for attr, args, kwargs in items:
        target = getattr(obj, attr) if attr else obj
        out.append(_attempt(target, *args, **(kwargs or {})))
    return out


def repeat(fn, args: list, kwargs: dict, n: int) -> list:
    """``fn(*args, **kwargs)`` called ``n`` times in a row (the random stream goes on between calls).

    A ``sample`` keyword is said in the student's own words (``sampling=True``, ``argmax=False``...,
    ``adapt.call_variants``): the first spelling whose first call does not raise is used.
    """
    variants = call_variants(fn, args, kwargs, False)
    for call_args, call_kwargs in variants[:-1]:
        if "ok" in _attempt(fn, *call_args, **call_kwargs):
            return [_attempt(fn, *call_args, **call_kwargs) for _ in range(n)]
    call_args, call_kwargs = variants[-1]
    return [_attempt(fn, *call_args, **call_kwargs) for _ in range(n)]


def _unroll(model, x, h):
    states = []
    for x_t in x:
        h = model.one_step(x_t, h)
        states.append(h)
    return torch.stack(states)


def _each(model, x, h0):
    return torch.stack([model.one_step(x_t, h0) for x_t in x])


def forward_probe(model, x, h0) -> dict:
    """What ``forward`` and ``one_step`` give on ``x`` (L, B, D) from ``h0``, every way of calling it.

    ``fw``: ``model(x, h0)``; ``fw_t``: ``model(x.transpose(0, 1), h0)``; ``fw_none`` and
    ``fw_t_none``: the same without a state; ``unrolled``: ``one_step`` iterated from ``h0``;
    ``each``: ``one_step(x_t, h0)`` at every step; ``unrolled_zero``: iterated from zeros.
    """
    xt = x.transpose(0, 1).contiguous()
    return {
        "fw": _attempt(model, x, h0),
        "fw_t": _attempt(model, xt, h0),
        "fw_none": _attempt(model, x),
        "fw_t_none": _attempt(model, xt),
        "unrolled": _attempt(_unroll, model, x, h0),
        "each": _attempt(_each, model, x, h0),
        "unrolled_zero": _attempt(_unroll, model, x, torch.zeros_like(h0)),
    }


# --- a student RNN through the adapter ------------------------------------------------------------------


def _tensor(out, container):
    if container == "tuple":
        out = out[0]
    if isinstance(out, (list, tuple)):
        out = torch.stack(list(out))
    return out


def states(model, x, h, spec):
    """All states h_1..h_L (L, B, H) of the student's model, sequence-first, through the adapter."""
    spec = {**PLAIN, **(spec or {})}
    inp = x.transpose(0, 1) if spec["input_t"] else x
    if (
        h is None
    ):  # the zero state, passed explicitly: the grader knows the hidden size it asked for
        h = torch.zeros(x.shape[1], int(spec["latent"]), dtype=x.dtype, device=x.device)
    out = model(inp, h) if spec["pass_h"] else model(inp)
    out = _tensor(out, spec["container"])
    if spec["output_t"]:
        out = out.transpose(0, 1)
    align = spec["align"]
    if align == "with_h0":
        out = out[1:]
    elif align == "h0_first":
        out = torch.cat([out[1:], model.one_step(x[-1], out[-1])[None]])
    elif align == "drop_last":
        out = torch.cat([out, model.one_step(x[-1], out[-1] if len(out) else h)[None]])
    elif align == "drop_first":
        out = torch.cat([model.one_step(x[0], h)[None], out])
    return out


def run_states(model, xs: list, hs: list, spec) -> list:
    """``states`` on several inputs in one round trip, gradients off; a failure comes back as data."""
    with torch.no_grad():
        return [_attempt(states, model, x, h, spec) for x, h in zip(xs, hs)]


def grad(model, x, h0, grad_out, spec) -> dict:
    """States through the adapter, then backpropagate ``sum(grad_out * states)``.

    Returns the states, the gradients of ``x`` and ``h0``, and of every parameter by name (None
    when a parameter took no part).
    """
    model.zero_grad(set_to_none=True)
    x = x.detach().clone().requires_grad_(True)
    h0 = h0.detach().clone().requires_grad_(True)
    out = states(model, x, h0, spec)
    (out * grad_out.to(out.dtype)).sum().backward()
    return {
        "states": out.detach(),
        "grad_x": None if x.grad is None else x.grad.detach(),
        "grad_h0": None if h0.grad is None else h0.grad.detach(),
        "params": {
            n: (None if p.grad is None else p.grad.detach()) for n, p in model.named_parameters()
        },
    }


# --- the grader's training loops ---------------------------------------------------------------------------


def _readout(model, kind: str, latent: int, size: int, dtype):
    """How states become outputs: the student's decode, undone when it normalises, or a fresh Linear."""
    if kind == "linear":
        layer = nn.Linear(latent, size).to(dtype)
        return (lambda s: layer(s)), list(layer.parameters())

    def decode(s):
        flat = model.decode(s.reshape(-1, s.shape[-1]))
        flat = flat.reshape(*s.shape[:-1], flat.shape[-1])
        if (
            kind == "log"
        ):  # decode applies a softmax: its log gives the scores back (up to a constant)
            return torch.log(flat.clamp_min(1e-30))
        if kind == "logit":  # decode applies a sigmoid
            return torch.logit(flat.clamp(1e-6, 1 - 1e-6))
        return flat

    return decode, []


def _batches(n: int, batch: int, generator):
    order = torch.randperm(n, generator=generator)
    return [order[i : i + batch] for i in range(0, n, batch)]


def _fit(params, loss_of, n, config) -> dict:
    """Adam with gradient clipping and cosine decay on shuffled batches, until the epochs or the CPU budget run out."""
    generator = torch.Generator().manual_seed(int(config.get("seed", 0)))
    optimizer = torch.optim.Adam(params, lr=float(config.get("lr", 1e-2)))
    epochs, batch = int(config.get("epochs", 1)), int(config.get("batch", 64))
    total = epochs * math.ceil(n / batch)
    # Cosine decay of the step size: a plain RNN's loss oscillates late in training otherwise.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: 0.5 * (1 + math.cos(math.pi * min(k, total) / total))
    )
    cpu, losses, steps = time.process_time(), [], 0
    budget = float(config.get("max_seconds", 1e9))
    moved = {
        id(p): 0.0 for p in params
    }  # sum of gradient norms per parameter: did the loss reach it?
    for _ in range(epochs):
        for index in _batches(n, batch, generator):
            loss = loss_of(index)
            optimizer.zero_grad()
            loss.backward()
            for p in params:
                if p.grad is not None:
                    moved[id(p)] += float(p.grad.detach().norm())
            nn.utils.clip_grad_norm_(params, float(config.get("clip", 1.0)))
            optimizer.step()
            schedule.step()
            losses.append(float(loss.detach()))
            steps += 1
            if (
                time.process_time() - cpu > budget
            ):  # CPU time: a busy machine does not shorten training
                return {
                    "losses": losses,
                    "steps": steps,
                    "stopped": True,
                    "cpu": time.process_time() - cpu,
                    "moved": moved,
                }
    return {
        "losses": losses,
        "steps": steps,
        "stopped": False,
        "cpu": time.process_time() - cpu,
        "moved": moved,
    }


def _record(record: dict, model) -> dict:
    """The training record with, per parameter of ``model`` by name, the sum of its gradient norms."""
    moved = record.pop("moved", {})
    return {
        **record,
        "grad_norms": {name: moved.get(id(p), 0.0) for name, p in model.named_parameters()},
    }


def _trainable(*modules):
    seen, params = set(), []
    for module in modules:
        for p in module.parameters():
            if id(p) not in seen:
                seen.add(id(p))
                params.append(p)
    return params


def _dtype(model):
    return next(model.parameters()).dtype


def train_classifier(model, x, y, x_eval, spec, config) -> dict:
    """Many-to-one training: cross-entropy of the readout of the last state; ``x`` (N, L, D).

    Returns the scores on ``x_eval`` (M, L, D) after training, and the training losses.
    """
    dtype = _dtype(model)
    x, x_eval = x.to(dtype), x_eval.to(dtype)
    readout, extra = _readout(
        model, spec.get("readout", "raw"), spec["latent"], int(config["classes"]), dtype
    )
    params = _trainable(model) + extra

    def scores(batch):  # batch (B, L, D)
        return readout(states(model, batch.transpose(0, 1), None, spec)[-1])

    model.train()
    record = _fit(params, lambda i: F.cross_entropy(scores(x[i]), y[i]), len(x), config)
    model.eval()
    with torch.no_grad():
        out = torch.cat([scores(x_eval[i : i + 512]) for i in range(0, len(x_eval), 512)])
    return {"scores": out.float(), **_record(record, model)}


def train_forecaster(model, x, x_eval, spec, config) -> dict:
    """One-step-ahead training with MSE on every step; ``x`` (N, L, D) series.

    Returns, for ``x_eval`` (M, L, D), ``rollout`` (M, k, D): its last ``k = config["horizon"]``
    steps forecast from the steps before them, each prediction fed back as the next input (as the
    lab's ``forecast`` does; here by reading the extended input again).
    """
    dtype = _dtype(model)
    x, x_eval = x.to(dtype), x_eval.to(dtype)
    readout, extra = _readout(model, spec.get("readout", "raw"), spec["latent"], x.shape[-1], dtype)
    params = _trainable(model) + extra
    horizon = int(config.get("horizon", 1))

    def predict(batch):  # (B, L, D) -> (B, L-1, D)
        seq = batch.transpose(0, 1)
        return readout(states(model, seq[:-1], None, spec)).transpose(0, 1)

    def roll(batch):  # (B, L, D) -> (B, k, D), reading the first L-k steps only
        # Each prediction is appended to the input and forward reads the longer sequence again: the
        # model is used exactly as it was trained, whatever its forward does.
        seq = batch.transpose(0, 1)[:-horizon]
        out = []
        for _ in range(horizon):
            out.append(readout(states(model, seq, None, spec)[-1]))
            seq = torch.cat([seq, out[-1][None]])
        return torch.stack(out, dim=1)

    model.train()
    record = _fit(params, lambda i: F.mse_loss(predict(x[i]), x[i][:, 1:]), len(x), config)
    model.eval()
    with torch.no_grad():
        rolled = torch.cat([roll(x_eval[i : i + 512]) for i in range(0, len(x_eval), 512)])
    return {"rollout": rolled.float(), **_record(record, model)}


def train_language_model(emb, model, x, y, x_eval, spec, config) -> dict:
    """Character model: ``model`` reads ``emb(x)``; cross-entropy on the next symbol, targets 0 ignored.

    ``x``, ``y`` (N, n) LongTensors (inputs and targets shifted by one). Returns the log-softmax
    of the readout on ``x_eval`` (M, n, V), as float32.
    """
    dtype = _dtype(model)
    vocab = int(config["vocab"])
    readout, extra = _readout(model, spec.get("readout", "raw"), spec["latent"], vocab, dtype)
    params = _trainable(emb, model) + extra

    def scores(batch):  # (B, n) -> (B, n, V)
        seq = emb(batch.t().contiguous()).to(dtype)
        return readout(states(model, seq, None, spec)).transpose(0, 1)

    def loss_of(index):
        return F.cross_entropy(
            scores(x[index]).reshape(-1, vocab), y[index].reshape(-1), ignore_index=0
        )

    emb.train()
    model.train()
    record = _fit(params, loss_of, len(x), config)
    emb.eval()
    model.eval()
    with torch.no_grad():
        out = torch.cat(
            [
                F.log_softmax(scores(x_eval[i : i + 256]).float(), dim=-1)
                for i in range(0, len(x_eval), 256)
            ]
        )
    return {"log_probs": out, **_record(record, model)}


PROCEDURES = {
    "tp3_probe_rnn": probe_rnn,
    "tp3_probe_embedding": probe_embedding,
    "tp3_loader": loader,
    "tp3_calls": calls,
    "tp3_repeat": repeat,
    "tp3_forward_probe": forward_probe,
    "tp3_states": run_states,
    "tp3_grad": grad,
    "tp3_train_classifier": train_classifier,
    "tp3_train_forecaster": train_forecaster,
    "tp3_train_language_model": train_language_model,
}
