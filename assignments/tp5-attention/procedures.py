"""Worker-side helpers for tp5-attention (``student.call("@tp5_...", ...)``).

Generic operations only: build a student class the way its constructor asks, run a student callable
while watching which torch functions it reaches, count many draws of a sampling function, train a
sequence-to-sequence model with a loop and data the grader hands over. No expected value and no
reference code lives here; every comparison happens in the grader.

This module is copied into the worker's folder: standard library and torch only.
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .adapt import construct as adapt_construct
from .adapt import conventions

# torch functions whose use the lab's rules forbid in a graded name (what the student would call)
WATCHED = {
    "multi_head_attention_forward": "F.multi_head_attention_forward",
    "scaled_dot_product_attention": "F.scaled_dot_product_attention",
    "gru": "torch.gru",
    "lstm": "torch.lstm",
    "rnn_tanh": "torch.rnn_tanh",
}


def _portable(value, depth: int = 0):
    """A value the channel can carry: tensors (detached), tuples/lists of them, else a type name."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)) and len(value) <= 8 and depth < 2:
        items = [_portable(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"type": type(value).__name__}


def _first(value):
    if isinstance(value, (tuple, list)) and value:
        return value[0]
    return value


def output_requires_grad(fn, args: list, grad_index: list) -> bool:
    """Whether ``fn(*args)``'s (first) tensor output depends on the ``args`` of ``grad_index``
    through autograd (False after a ``.detach()``, ``.item()`` or a computation outside torch)."""
    args = [
        a.detach().clone().requires_grad_(True) if i in grad_index else a
        for i, a in enumerate(args)
    ]
    out = _first(fn(*args))
    return isinstance(out, torch.Tensor) and bool(out.requires_grad)


def _probe(model, kind: str, dims: dict) -> bool:
    """Whether a built model has the sizes asked (its output's shape on a small input)."""
    if not isinstance(model, nn.Module):
        return False
    try:
        with torch.no_grad():
            if kind == "bigru":
                out = _first(model(torch.randn(3, 2, dims["dim"])))
                return isinstance(out, torch.Tensor) and out.shape[-1] == 2 * dims["latent"]
            if kind == "mha":
                q, kv = torch.randn(3, 2, dims["dim"]), torch.randn(4, 2, dims["dim"])
                out = _first(model(q, kv, kv))
                return isinstance(out, torch.Tensor) and out.shape[-1] == dims["dim"]
            if kind == "seq2seq":
                src = torch.randint(3, dims["output"], (4, 2))
                tgt = torch.randint(3, dims["output"], (3, 2))
                out = _first(model(src, tgt))
                return isinstance(out, torch.Tensor) and out.shape[-1] == dims["output"]
    except Exception:  # noqa: BLE001 - a candidate call that does not fit
        return False
    return False


def construct(cls, dims: dict, kind: str) -> nn.Module:
    """An instance of ``cls`` with these sizes (roles ``dim``, ``latent``, ``output``), built the way
    its constructor asks (``adapt.construct``): kept when its output has the sizes asked, else the
    first that builds (the tests say what is wrong)."""
    return adapt_construct(cls, dims, kind, fits=lambda model: _probe(model, kind, dims))


def constructor(model) -> str:
    """The call that built ``model`` (``construct``), "" when unknown."""
    return str(conventions(model).get("constructor", ""))


class _Watch(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in WATCHED and WATCHED[name] not in self.seen:
            self.seen.append(WATCHED[name])
        return func(*args, **(kwargs or {}))


def watch(fn, args: list, kwargs: dict | None = None) -> dict:
    """``fn(*args, **kwargs)`` with gradients off, noting the watched torch functions it calls:
    ``{"result": ..., "seen": [...]}``."""
    mode = _Watch()
    with torch.no_grad(), mode:
        result = fn(*args, **(kwargs or {}))
    return {"result": _portable(result), "seen": list(mode.seen)}


def modules_of(model) -> list:
    """``[path, torch class name]`` for every submodule of ``model`` whose class comes from torch.nn."""
    found = []
    for path, module in model.named_modules():
        for cls in type(module).__mro__:
            if cls.__module__.startswith("torch.nn") and cls.__name__ not in ("Module",):
                found.append([path or "self", cls.__name__])
                break
    return found


def sample_counts(fn, logits: torch.Tensor, temperature: float, n: int) -> dict:
    """Counts of each index over ``n`` draws of ``fn(logits, temperature)`` for one 1-D ``logits``.

    One batched call on ``logits`` repeated ``n`` times when the function takes a batch, else ``n``
    calls on the vector. ``{"counts": LongTensor (V,), "batched": bool, "shape": [...]}``."""
    V = logits.shape[-1]
    batch = logits.expand(n, V).contiguous()
    with torch.no_grad():
        try:
            out = fn(batch, temperature)
        except Exception:  # noqa: BLE001 - a function written for one vector: one call per draw
            out = None
        out = _first(out) if isinstance(out, (tuple, list)) else out
        if isinstance(out, torch.Tensor) and out.numel() == n:
            draws = out.reshape(-1).long()
            batched = True
        else:
            single = []
            for _ in range(n):
                one = fn(logits, temperature)
                one = _first(one) if isinstance(one, (tuple, list)) else one
                single.append(int(torch.as_tensor(one).reshape(-1)[0]))
            draws, batched = torch.tensor(single, dtype=torch.long), False
    if draws.numel() and (int(draws.min()) < 0 or int(draws.max()) >= V):
        return {"counts": None, "batched": batched, "bad": [int(draws.min()), int(draws.max())]}
    return {"counts": torch.bincount(draws, minlength=V), "batched": batched}


def _logits(out, layout: str):
    logits = _first(out)
    return logits.transpose(0, 1) if layout == "BTV" else logits


def greedy(model, src: torch.Tensor, steps: int, bos: int, layout: str = "TBV") -> torch.Tensor:
    """Greedy decoding through ``model(src, tgt_in)`` only: (steps, B) codes."""
    tgt_in = torch.full((1, src.shape[1]), bos, dtype=torch.long)
    with torch.no_grad():
        for _ in range(steps):
            logits = _logits(model(src, tgt_in), layout)
            tgt_in = torch.cat([tgt_in, logits[-1].argmax(-1, keepdim=True).T])
    return tgt_in[1:]


def train_seq2seq(model, batches: list, config: dict) -> dict:
    """Train ``model`` (``model(src, tgt_in)`` -> logits first) with Adam on the grader's batches.

    ``batches``: ``[src (L, B), tgt (T, B)]`` pairs; ``config``: ``lr``, ``clip``, ``pad``, ``bos``,
    ``layout`` ("TBV" or "BTV"), ``test_src`` and ``steps_out``. Returns the greedy predictions
    on ``test_src``, the last losses and the time taken.
    """
    torch.manual_seed(int(config.get("seed", 0)))
    pad, bos, layout = int(config["pad"]), int(config["bos"]), config.get("layout", "TBV")
    optimizer = torch.optim.Adam(model.parameters(), lr=float(config["lr"]))
    losses, start = [], time.perf_counter()
    model.train()
    for src, tgt in batches:
        tgt_in = torch.cat([torch.full_like(tgt[:1], bos), tgt[:-1]])
        logits = _logits(model(src, tgt_in), layout)
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]).float(), tgt.reshape(-1), ignore_index=pad
        )
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), float(config["clip"]))
        optimizer.step()
        losses.append(float(loss.detach()))
    seconds = time.perf_counter() - start
    model.eval()
    predicted = greedy(model, config["test_src"], int(config["steps_out"]), bos, layout)
    return {"predicted": predicted, "losses": losses[-10:], "seconds": seconds}


PROCEDURES = {
    "tp5_construct": construct,
    "tp5_output_requires_grad": output_requires_grad,
    "tp5_constructor": constructor,
    "tp5_watch": watch,
    "tp5_modules_of": modules_of,
    "tp5_sample_counts": sample_counts,
    "tp5_greedy": greedy,
    "tp5_train_seq2seq": train_seq2seq,
}
