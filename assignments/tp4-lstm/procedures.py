"""Worker-side helpers for tp4-lstm (``student.call("@tp4_...", ...)``).

Generic operations only: call a student function and report what it did to its inputs, time a
call, drive a student generator on a small table-driven model the grader describes, unroll a
recurrent model one step at a time, and train a student cell with a plain training loop. No
expected value and no reference code lives here: every comparison, loss and score is computed
in the grader from what these helpers return.

This module is copied into the worker's folder: standard library and torch only.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from .adapt import adapt, adapted_model, call_variants, used_by_step


def _portable(value, depth: int = 0):
    """A value the channel can carry: tensors (detached), short tuples/lists of them, else a type name."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)) and len(value) <= 64 and depth < 4:
        items = [_portable(v, depth + 1) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"type": type(value).__name__}


# --- text batches ---------------------------------------------------------------------------------


def collate(fn, samples: list) -> dict:
    """``fn(samples)``; also returns the sample tensors as they are afterwards (modified in place?)."""
    originals = list(samples)  # the tensor objects themselves, even if fn rebuilds the list
    result = fn(samples)
    return {"result": _portable(result), "after": [s.detach().clone() for s in originals]}


def random_loss_inputs(
    length: int, batch: int, vocab: int, padcar: int, pad_share: float, seed: int
):
    """Logits (L, B, V) and targets (L, B) drawn from ``torch.Generator().manual_seed(seed)``.

    The grader draws the same tensors with the same seed; this only avoids sending big inputs.
    """
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(length, batch, vocab, generator=g)
    target = torch.randint(0, vocab, (length, batch), generator=g)
    pad = torch.rand(length, batch, generator=g) < pad_share
    target[pad] = padcar
    return logits, target


def timed_loss(
    fn,
    length: int,
    batch: int,
    vocab: int,
    padcar: int,
    pad_share: float,
    seed: int,
    repeat: int = 2,
) -> dict:
    """Call ``fn(logits, target, padcar)`` on generated inputs; best wall time over ``repeat`` calls."""
    logits, target = random_loss_inputs(length, batch, vocab, padcar, pad_share, seed)
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(logits, target, padcar)
        best = min(best, time.perf_counter() - start)
    return {"seconds": best, "result": _portable(result)}


# --- a table-driven model for the generation functions ---------------------------------------------


class RNN(nn.Module):
    """A recurrent "model" read from tables: the state is a node of an automaton.

    ``transitions[n, v]`` is the node reached from node ``n`` on symbol ``v`` and ``logits[n]``
    the decoder's output at node ``n``. The hidden vectors carry the node number in their first
    column; zeros are the start node, so a state the caller makes itself (``torch.zeros(1,
    rnn.latent)``, ``(1, 1, H)``...) works. It answers every protocol students write for their own
    model (the kit's ``init_state`` / ``one_step(x, state)`` / ``hidden``; ``one_step(x, h, c)``;
    ``rnn(x, h)`` and ``forward`` on ``(L, B, D)``, ``(B, D)`` or ``(D,)`` inputs; the usual size
    attributes; ``decode`` and ``decoder``) and counts the calls it receives. ``returns``: what
    ``forward`` gives back, "tensor" (the hidden vectors) or "tuple" (those and the last state),
    since code written for a model returning a tuple unpacks it. Named like a student's model, so
    that an error in the student's code reads in the student's terms.
    """

    def __init__(
        self,
        transitions: torch.Tensor,
        logits: torch.Tensor,
        latent: int,
        tuple_state: bool,
        returns: str = "tensor",
    ):
        super().__init__()
        self.register_buffer("transitions", transitions.long())
        # Unused by the tables, but generation code often finds its device with
        # next(rnn.parameters()), as the given init_state does: a real model always has one.
        self.anchor = nn.Parameter(torch.zeros(1))
        vocab = logits.shape[1]
        self.dim = self.input_size = self.input_dim = self.emb_dim = self.embedding_dim = vocab
        self.output = self.output_size = self.output_dim = self.vocab_size = vocab
        self.latent = self.hidden_size = self.hidden_dim = self.latent_dim = self.dim_latent = (
            latent
        )
        self.n_hidden = self.num_hidden = self.dim_h = self.h_dim = latent
        self.num_layers = 1
        self.tuple_state = tuple_state
        self.returns = returns
        self.decoder = Decoder(logits)
        self.calls: list[int] = []  # batch size of each one_step call

    def init_state(self, batch: int = 1):
        h = torch.zeros(batch, self.latent)
        return (h, h.clone()) if self.tuple_state else h

    def hidden(self, state):
        return state[0] if self.tuple_state and isinstance(state, (tuple, list)) else state

    def _state(self, state):
        """(h, c or None) from ``(h, c)``, ``[h, c]``, ``h``, or the two passed separately."""
        if isinstance(state, (tuple, list)):
            if len(state) == 1:
                return state[0], None
            return state[0], state[1]
        return state, None

    def one_step(self, x, *state):
        """x: (B, D), (1, B, D) or (D,); state: h, (h, c), or h and c as two arguments."""
        separate = len(state) == 2
        if not state or state[0] is None:
            h, c = (
                self.init_state(
                    1
                    if torch.as_tensor(x).dim() < 2
                    else torch.as_tensor(x).reshape(-1, torch.as_tensor(x).shape[-1]).shape[0]
                ),
                None,
            )
            h, c = self._state(h)
        else:
            h, c = (state[0], state[1]) if separate else self._state(state[0])
        x = torch.as_tensor(x)
        codes = x.reshape(-1, x.shape[-1]).argmax(dim=-1)
        flat = torch.as_tensor(h).reshape(-1, self.latent)
        if codes.shape[0] != flat.shape[0]:
            raise ValueError(
                f"one_step: x has {codes.shape[0]} rows but the state has {flat.shape[0]} (x (B, D), state (B, H))"
            )
        self.calls.append(int(flat.shape[0]))
        # An LSTM's node lives in its cell state too: code that does not carry c starts over from node 0.
        memory = (
            flat
            if not self.tuple_state
            else (
                torch.as_tensor(c).reshape(-1, self.latent)
                if c is not None
                else torch.zeros_like(flat)
            )
        )
        nodes = memory[:, 0].round().long()
        new = torch.zeros_like(flat)
        new[:, 0] = self.transitions[nodes, codes].to(flat.dtype)
        new = new.reshape(torch.as_tensor(h).shape)
        if self.tuple_state:
            return (new, new.clone())
        return new

    def forward(self, x, *state):
        """x: (L, B, D) -> hidden vectors (L, B, H) (a single step for (B, D) or (D,) inputs)."""
        x = torch.as_tensor(x)
        if x.dim() < 3:
            new = self.one_step(x, *state)
            h = self.hidden(new)
            return (h, new) if self.returns == "tuple" else h
        if not state or state[0] is None:
            current = self.init_state(x.shape[1])
        else:
            current = tuple(state) if len(state) == 2 else state[0]
        out = []
        for x_t in x:
            current = self.one_step(x_t, *(current if len(state) == 2 else (current,)))
            out.append(self.hidden(current))
        seq = torch.stack(out)
        return (seq, current) if self.returns == "tuple" else seq

    def decode(self, h):
        return self.decoder(h)


class LSTM(RNN):
    """The same tables behind an LSTM's state (h, c)."""


class Decoder(nn.Module):
    """Logits of the node held in the first column of the hidden vectors: (..., H) -> (..., V)."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.register_buffer("logits", logits.float())
        self.calls = 0

    def forward(self, h):
        self.calls += 1
        return self.logits[torch.as_tensor(h)[..., 0].round().long()]


def table_model(spec: dict, returns: str = "tensor"):
    """``(rnn, emb, decoder)`` from ``{"transitions", "logits", "latent", "tuple_state"}``."""
    logits = spec["logits"]
    tuple_state = bool(spec.get("tuple_state", False))
    cls = LSTM if tuple_state else RNN
    rnn = cls(spec["transitions"], logits, int(spec.get("latent", 3)), tuple_state, returns)
    vocab = logits.shape[1]
    emb = nn.Embedding(vocab, vocab)
    with torch.no_grad():
        emb.weight.copy_(torch.eye(vocab))  # one-hot codes: the cell reads the symbol back
    emb.requires_grad_(False)
    return rnn, emb, rnn.decoder


def run_generator(fn, spec: dict, args: list, kwargs: dict, repeat: int = 1) -> dict:
    """Call ``fn(rnn, emb, decoder, *args, **kwargs)`` ``repeat`` times on a table model.

    Returns the results and, per call, the batch sizes of the ``one_step`` calls; the global
    random generator runs on from one call to the next (seeded once by the worker). The model
    first returns its hidden vectors from ``forward``; when the student's code fails on it, the
    call is retried on a model whose ``forward`` returns ``(outputs, state)`` and with the other
    spellings of the mode keyword: code written for such a model is graded on what it computes.
    The first error is the one reported.
    """
    first_error, state0 = None, torch.random.get_rng_state()
    for returns in ("tensor", "tuple"):
        for call_args, call_kwargs in call_variants(
            fn, args, kwargs, bool(spec.get("tuple_state"))
        ):
            torch.random.set_rng_state(state0)
            rnn, emb, decoder = table_model(spec, returns)
            results, calls = [], []
            try:
                for _ in range(repeat):
                    rnn.calls = []
                    results.append(_portable(fn(rnn, emb, decoder, *call_args, **call_kwargs)))
                    calls.append(list(rnn.calls))
            except Exception as err:  # noqa: BLE001 - try the next protocol; the first error is reported
                first_error = first_error or err
                continue
            return {
                "results": results,
                "calls": calls,
                "kwargs": sorted(call_kwargs),
                "returns": returns,
            }
    raise first_error


def nucleus(p_nucleus, alpha: float, logits: torch.Tensor) -> dict:
    """``p_nucleus(decoder, alpha)(logits)`` with a decoder that returns its input as logits."""
    compute = p_nucleus(nn.Identity(), alpha)
    if not callable(compute):
        return {"callable": False, "type": type(compute).__name__, "result": None}
    return {"callable": True, "type": type(compute).__name__, "result": _portable(compute(logits))}


# --- build_model ----------------------------------------------------------------------------------------


def _describe_module(obj) -> dict:
    info = {
        "type": type(obj).__name__,
        "module": type(obj).__module__,
        "bases": [b.__name__ for b in type(obj).__mro__[1:]],
        "is_module": isinstance(obj, nn.Module),
    }
    if isinstance(obj, nn.Module):
        info["parameters"] = {name: list(p.shape) for name, p in obj.named_parameters()}
        info["tree"] = [
            [name, type(m).__name__, type(m).__module__] for name, m in obj.named_modules()
        ]
    for attribute in ("num_embeddings", "embedding_dim", "padding_idx", "dim", "latent", "output"):
        value = getattr(obj, attribute, None)
        if value is None or isinstance(value, (bool, int, float, str)):
            info[attribute] = value
    return info


def build(fn, args: list, codes: torch.Tensor) -> dict:
    """Call a model builder; describe what it returned and run its two parts on ``codes`` (L, B)."""
    built = fn(*args)
    info = {
        "type": type(built).__name__,
        "length": len(built) if isinstance(built, (tuple, list)) else None,
    }
    if not (isinstance(built, (tuple, list)) and len(built) == 2):
        return info
    emb, rnn = built
    info["emb"], info["rnn"] = _describe_module(emb), _describe_module(rnn)
    with torch.no_grad():
        try:
            vectors = emb(codes)
            info["emb_out"] = _portable(vectors)
        except Exception as err:  # noqa: BLE001
            info["emb_error"] = f"{type(err).__name__}: {err}"[:300]
            return info
        try:
            # through the student's own conventions (state required, tuple returned, embedding owned...)
            kind = (
                str(args[0]).lower()
                if args and str(args[0]).lower() in ("rnn", "gru", "lstm")
                else "rnn"
            )
            dims = {
                "dim": int(vectors.shape[-1]),
                "latent": int(args[3]) if len(args) > 3 else None,
                "output": int(args[1]) if len(args) > 1 else None,
            }
            driven = (
                adapt(rnn, kind, dims) if isinstance(rnn, nn.Module) and dims["latent"] else rnn
            )
            info["rnn_out"] = _portable(driven(vectors))
        except Exception as err:  # noqa: BLE001
            info["rnn_error"] = f"{type(err).__name__}: {err}"[:300]
    return info


# --- recurrent cells ------------------------------------------------------------------------------------


def forward_backward(fn, args: list, grad_index: list, weights: torch.Tensor, module=None) -> dict:
    """Like the generic ``@forward_backward``, but backpropagates the scalar ``(output * weights).sum()``.

    Same gradients; a scalar ``backward()`` spares the worker the first-call import that
    ``backward(gradient)`` triggers (about 0.6 s per submission).
    """
    args = [
        a.detach().clone().requires_grad_(True) if i in grad_index else a
        for i, a in enumerate(args)
    ]
    if module is not None:
        module.zero_grad(set_to_none=True)
    out = fn(*args)
    tensor = out[0] if isinstance(out, (tuple, list)) else out
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"returned {type(out).__name__}, not a tensor")
    (tensor * weights.to(tensor.dtype)).sum().backward()
    result = {"output": tensor.detach(), "grads": {str(i): args[i].grad for i in grad_index}}
    if module is not None:
        result["param_grads"] = {
            n: (p.grad.detach() if p.grad is not None else None)
            for n, p in module.named_parameters()
        }
    return result


def unroll(model, x: torch.Tensor, state) -> list:
    """The state after each step of ``state = model.one_step(x[t], state)`` (gradients off)."""
    states = []
    with torch.no_grad():
        for x_t in x:
            state = model.one_step(x_t, state)
            states.append(_portable(state))
    return states


def _pad_batch(samples, pad: int = 0, eos: int = 1):
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), pad, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
        batch[len(s), b] = eos
    return batch


class Adam:
    """Plain Adam (the update of ``torch.optim.Adam`` with its defaults).

    Written out because creating the first ``torch.optim`` optimizer of a process imports
    ``torch._dynamo`` (about 2 s of the worker's time per submission).
    """

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v / (1 - b2**self.t)).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1**self.t))


def train_cell(
    cell, sentences: list, evaluation: torch.Tensor, config: dict, collate=None, loss=None
) -> dict:
    """Train ``cell(dim, latent, vocab)`` with an ``nn.Embedding`` on ``sentences``; return held-out logits.

    Plain loop: batches of ``config["batch"]`` sentences drawn with a seeded generator, batched
    by ``collate`` (the student's ``pad_collate_fn``, or plain padding when None), input
    ``batch[:-1]``, target ``batch[1:]``, loss ``loss`` (the student's masked cross-entropy, or
    ``F.cross_entropy`` ignoring padding when None), Adam (``Adam`` above), gradient norm clipped to 1.
    ``evaluation`` is a padded (L, B) batch: the logits (L-1, B, V) of its inputs come back, the
    grader computes the loss. Also returns the training losses, the time taken and, per parameter,
    the sum of its gradient norms (0 for a parameter the loss never reached). The cell is built and
    driven through ``adapt`` (``config["kind"]``: its constructor's order, its state convention...).
    """
    torch.manual_seed(int(config.get("seed", 0)))
    g = torch.Generator().manual_seed(int(config.get("seed", 0)))
    vocab, dim, latent = int(config["vocab"]), int(config["dim"]), int(config["latent"])
    emb = nn.Embedding(vocab, dim, padding_idx=0)
    model = adapted_model(
        cell, str(config.get("kind", "rnn")), {"dim": dim, "latent": latent, "output": vocab}
    )
    params = list(emb.parameters()) + list(model.parameters())
    optimizer = Adam(params, lr=float(config.get("lr", 0.01)))
    collate = collate or _pad_batch
    if loss is None:

        def loss(output, target, padcar):
            return nn.functional.cross_entropy(
                output.flatten(0, 1), target.flatten(), ignore_index=padcar
            )

    losses, start = [], time.perf_counter()
    grad_norms = {name: 0.0 for name, _ in model.named_parameters()}
    for _ in range(int(config["steps"])):
        index = torch.randint(len(sentences), (int(config["batch"]),), generator=g).tolist()
        batch = torch.as_tensor(collate([sentences[i] for i in index])).long()
        value = loss(model.decode(model(emb(batch[:-1]))), batch[1:], 0)
        optimizer.zero_grad()
        value.backward()
        for name, p in model.named_parameters():
            if p.grad is not None:
                grad_norms[name] += float(p.grad.detach().norm())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        losses.append(float(value.detach()))
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        logits = model.decode(model(emb(evaluation[:-1])))
    return {
        "logits": _portable(logits),
        "losses": losses,
        "seconds": seconds,
        "grad_norms": grad_norms,
    }


PROCEDURES = {
    "tp4_collate": collate,
    "tp4_timed_loss": timed_loss,
    "tp4_generate": run_generator,
    "tp4_nucleus": nucleus,
    "tp4_unroll": unroll,
    "tp4_used": used_by_step,
    "tp4_forward_backward": forward_backward,
    "tp4_build": build,
    "tp4_train": train_cell,
}
