"""Call a student's recurrent model the way it asks to be called (worker side, any lab).

Students build and call their models in many ways: ``RNN(latent, dim, output)``, an extra
``device`` argument, ``one_step(x, h, c)`` or ``one_step(x, (h, c))``, ``forward(x, h)`` with ``h``
required, ``forward`` returning ``(outputs, state)`` or a list, batch-first tensors. Two public
operations turn any of these into the kit's protocol, so that grading tests check the substance:

- ``construct(cls, dims)``: an instance whose sizes are ``dims`` (``{"dim": D, "latent": H,
  "output": O}``), found from the constructor's parameter names and by trying candidate calls,
  kept only when the built model's step maps ``(B, D)`` to ``(B, H)`` (and ``decode`` to O).
- ``Adapted(model, kind, dims)``: an ``nn.Module`` over the student's model with the kit's
  protocol: ``init_state(B)``, ``one_step(x, state)``, ``hidden(state)``, ``forward(x, state=None)``
  (sequence-first, all hidden vectors ``(L, B, H)``), ``decode(h)``. Its parameters are the student
  model's, under the same names. ``kind``: "rnn" / "gru" (state ``h``) or "lstm" (state ``(h, c)``).

What was adapted is recorded in ``Adapted.conventions`` (plain data): the grader decides what a
deviation costs. Standard library and torch only: this module is copied into the worker's folder.
"""

from __future__ import annotations

import inspect
import itertools

import torch
from torch import nn

ROLE_NAMES = {
    "dim": (
        "dim",
        "input_dim",
        "input_size",
        "in_dim",
        "dim_input",
        "input",
        "inputs",
        "n_input",
        "n_inputs",
        "d_in",
        "dim_in",
        "in_features",
        "in_size",
        "input_dimension",
        "emb_dim",
        "embedding_dim",
        "embed_dim",
        "emb_size",
        "embedding_size",
        "d_input",
        "nin",
        "x_dim",
        "dimx",
        "dim_x",
        "d",
        "n_in",
        "input_features",
    ),
    "latent": (
        "latent",
        "hidden",
        "hidden_size",
        "hidden_dim",
        "latent_dim",
        "latent_size",
        "dim_latent",
        "n_hidden",
        "dim_hidden",
        "hid_dim",
        "hidden_units",
        "units",
        "state_size",
        "dim_h",
        "h_dim",
        "nhid",
        "n_latent",
        "hdim",
        "h",
        "hid",
        "hidden_dimension",
        "latent_dimension",
        "d_hidden",
        "size_h",
    ),
    "output": (
        "output",
        "output_dim",
        "output_size",
        "out_dim",
        "n_classes",
        "num_classes",
        "nb_classes",
        "classes",
        "dim_output",
        "out",
        "outputs",
        "n_output",
        "n_outputs",
        "out_features",
        "nb_class",
        "n_out",
        "dim_out",
        "d_out",
        "vocab_size",
        "vocab",
        "nout",
        "y_dim",
        "output_dimension",
        "out_size",
        "n_class",
        "num_class",
        "nclasses",
        "n_vocab",
        "voc_size",
    ),
}
# Arguments students add that are not sizes: a harmless value each.
EXTRAS = {
    "device": "cpu",
    "dev": "cpu",
    "length": 20,
    "seq_len": 20,
    "sequence_length": 20,
    "seq_length": 20,
    "len_seq": 20,
    "batch_size": 32,
    "batch": 32,
    "dropout": 0.0,
    "num_layers": 1,
    "n_layers": 1,
    "nb_layers": 1,
    "bias": True,
    "batch_first": False,
    "dtype": None,
}
STEP_NAMES = (
    "one_step",
    "step",
    "onestep",
    "one_step_forward",
    "forward_step",
    "cell",
    "rnn_step",
    "step_forward",
    "forward_one_step",
    "cell_step",
    "single_step",
    "next",
)
DECODE_NAMES = (
    "decode",
    "decoder",
    "decoding",
    "h2o",
    "output_layer",
    "out_layer",
    "hidden2output",
    "fc_out",
    "linear_out",
    "fc",
    "out",
    "readout",
    "classifier",
    "Wo",
    "W_o_out",
    "lin_out",
)


class ConventionError(TypeError):
    """The model cannot be driven by any of the conventions tried (the message says what was tried)."""


# --- constructing ---------------------------------------------------------------------------------------------


def _parameters_of(cls):
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return None
    return [
        p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _role(name: str):
    low = name.lower()
    for role, names in ROLE_NAMES.items():
        if low in names:
            return role
    return None


def candidate_calls(cls, dims: dict) -> list[tuple[tuple, dict, str]]:
    """``(args, kwargs, text)`` to try, most likely first: the kit's order, the names, every order."""
    roles = [r for r in ("dim", "latent", "output") if r in dims]
    params = _parameters_of(cls)
    calls: list[tuple[tuple, dict, str]] = [(tuple(dims[r] for r in roles), {}, "")]
    if params is None:
        return calls
    by_name, unknown_required = {}, []
    for p in params:
        role = _role(p.name)
        if role in dims and role not in by_name.values():
            by_name[p.name] = role
        elif p.name.lower() in EXTRAS and p.default is p.empty:
            pass
        elif p.default is p.empty and role is None:
            unknown_required.append(p.name)
    extras = {
        p.name: EXTRAS[p.name.lower()]
        for p in params
        if p.name.lower() in EXTRAS and p.default is p.empty and p.kind != p.POSITIONAL_ONLY
    }
    if len(set(by_name.values())) == len(roles) and not unknown_required:
        kwargs = {name: dims[role] for name, role in by_name.items()}
        kwargs.update(extras)
        calls.append(((), kwargs, ""))
    # Positional orders: the sizes in the first positional slots, extras by name.
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name.lower() not in EXTRAS
    ]
    slots = len(roles) if len(positional) >= len(roles) or not params else len(positional)
    for order in itertools.permutations(roles, slots):
        calls.append((tuple(dims[r] for r in order), dict(extras), ""))
    # Required positional extras (a length between sizes...): fill them by name after the sizes.
    seen, unique = set(), []
    for args, kwargs, _ in calls:
        key = (args, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        if key not in seen:
            seen.add(key)
            unique.append((args, kwargs, _call_text(cls, args, kwargs)))
    return unique


def _call_text(cls, args, kwargs) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{getattr(cls, '__name__', 'model')}({', '.join(parts)})"


def construct(cls, dims: dict, kind: str = "rnn", fits=None):
    """An instance of ``cls`` with these sizes, built the way its constructor asks.

    The first candidate call that builds a model whose step maps ``(B, D)`` to ``(B, H)`` (or that
    ``fits(model)`` accepts: a lab's own check of its outputs) wins; when none fits, the first one
    that builds at all is returned (the tests then say what is wrong).
    """
    if fits is None:
        fits = lambda model: _fits(model, kind, dims)  # noqa: E731
    built_any, first_error = None, None
    for args, kwargs, text in candidate_calls(cls, dims):
        try:
            model = cls(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - a candidate call that does not fit
            first_error = first_error or err
            continue
        if built_any is None:
            built_any = (model, text)
        if fits(model):
            _record(
                model,
                {
                    "constructor": text,
                    "constructor_default": not kwargs
                    and args == tuple(dims[r] for r in ("dim", "latent", "output") if r in dims),
                },
            )
            return model
    if built_any is not None:
        _record(built_any[0], {"constructor": built_any[1], "constructor_fits": False})
        return built_any[0]
    # No call builds it: the student sees what the course's own call raised (a stub's NotImplementedError...).
    raise first_error if first_error is not None else ConventionError(f"{cls!r} could not be built")


def _record(model, info: dict) -> None:
    try:
        model.__dict__.setdefault("_rnnkit_conventions", {}).update(info)
    except Exception:  # noqa: BLE001 - objects without a __dict__
        pass


def _fits(model, kind: str, dims: dict) -> bool:
    if not isinstance(model, nn.Module):
        return False
    if kind == "many_to_one":  # x (L, B, D) -> one output (B, O) per sequence
        try:
            with torch.no_grad():
                out = model(torch.randn(3, 2, dims["dim"]))
        except Exception:  # noqa: BLE001
            return False
        out = out[0] if isinstance(out, (tuple, list)) and out else out
        return isinstance(out, torch.Tensor) and tuple(out.shape) == (2, dims["output"])
    try:
        adapted = Adapted(model, kind, dims)
    except Exception:  # noqa: BLE001
        return False
    return adapted.fits


# --- driving ----------------------------------------------------------------------------------------------------


def _positional_count(fn) -> tuple[int, int, bool]:
    """(required positional, all positional, has *args) of a bound method."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return 0, 0, True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return len(required), len(positional), any(p.kind == p.VAR_POSITIONAL for p in params)


def _names(fn) -> list[str]:
    try:
        return [p.name.lower() for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


def _c_first(fn) -> bool:
    """``(x, c, h)``: the cell state named before the hidden one."""
    names = _names(fn)
    return len(names) >= 3 and names[1].startswith("c") and names[2].startswith("h")


def _tensors(value) -> list:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if isinstance(v, torch.Tensor)]
    return []


class Adapted(nn.Module):
    """The kit's protocol over a student's recurrent model (see the module docstring).

    x: (L, B, D) sequence-first; state: (B, H), or the pair (h, c) for kind "lstm".
    """

    def __init__(self, model: nn.Module, kind: str, dims: dict):
        super().__init__()
        self.inner = model
        self.kind = kind
        self.pairs = kind == "lstm"
        self.dim, self.latent, self.output = dims.get("dim"), dims.get("latent"), dims.get("output")
        self.conventions = dict(getattr(model, "__dict__", {}).get("_rnnkit_conventions", {}))
        self._step, self._state_form = self._find_step()
        self._decode = self._find_decode()
        self._forward_form = None  # decided on first use: (state form, batch_first, container)
        self.fits = self._step is not None and (self.output is None or self._decode_fits())

    # Parameters and submodules under the student's own names (no "inner." prefix).
    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ):
        return self.inner.named_parameters(
            prefix=prefix, recurse=recurse, remove_duplicate=remove_duplicate
        )

    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        return self.inner.named_modules(memo, prefix, remove_duplicate)

    def _first_parameter(self):
        return next(iter(self.inner.parameters()), None)

    # -- the state -------------------------------------------------------------------------------------------
    def init_state(self, batch: int):
        p = self._first_parameter()
        dtype = p.dtype if p is not None else torch.get_default_dtype()
        device = p.device if p is not None else "cpu"
        h = torch.zeros(batch, self.latent, dtype=dtype, device=device)
        return (h, h.clone()) if self.pairs else h

    def hidden(self, state):
        return state[0] if self.pairs else state

    # -- one step ---------------------------------------------------------------------------------------------
    def _find_step(self):
        """(bound step function, state form) that maps (B, D), state to a state of (B, H) tensors."""
        own = [
            getattr(self.inner, name)
            for name in STEP_NAMES
            if callable(getattr(type(self.inner), name, None))
        ]
        candidates = own + [self.inner.forward]
        x = torch.randn(2, self.dim) if self.dim else None
        if x is None:
            return (own[0] if own else None), "pair" if self.pairs else "single"
        p = self._first_parameter()
        if p is not None and p.is_floating_point():
            x = x.to(p.dtype)
        h = 0.5 * torch.randn(2, self.latent, dtype=x.dtype)
        c = 0.5 * torch.randn(2, self.latent, dtype=x.dtype)
        for fn in candidates:
            for form in self._state_forms(fn):
                try:
                    with torch.no_grad():
                        out = self._call_step(fn, form, x, h, c)
                except Exception:  # noqa: BLE001 - not this convention
                    continue
                if out is not None:
                    if fn is not candidates[0] or form not in ("pair", "single"):
                        self.conventions["step"] = f"{getattr(fn, '__name__', 'step')}:{form}"
                    return fn, form
        return (own[0] if own else None), "pair" if self.pairs else "single"

    def _state_forms(self, fn) -> list[str]:
        if not self.pairs:
            return ["single"]
        required, positional, varargs = _positional_count(fn)
        separate = ["args_ch", "args"] if _c_first(fn) else ["args", "args_ch"]
        if required >= 3 or (positional >= 3 and required < 2):
            return separate + ["pair", "list"]
        return ["pair", "list"] + (separate if varargs or positional >= 3 else [])

    @staticmethod
    def _invoke(fn, form, x, h, c):
        """``fn(x, <state>)`` with the state passed in ``form`` (a step or a whole forward alike)."""
        if form == "single":
            return fn(x, h)
        if form == "pair":
            return fn(x, (h, c))
        if form == "list":
            return fn(x, [h, c])
        return fn(x, h, c) if form == "args" else fn(x, c, h)

    def _call_step(self, fn, form, x, h, c):
        """The student's step in ``form``; its result as (h, c) / h, or None when it is not a state."""
        state = self._read_state(self._invoke(fn, form, x, h, c), x.shape[0])
        if form == "args_ch" and state is not None:
            return state[::-1]  # a student who writes (c, h) in also hands (c, h) back
        return state

    def _read_state(self, out, batch: int):
        shape = (batch, self.latent)
        if self.pairs:
            if (
                isinstance(out, (tuple, list))
                and len(out) == 2
                and isinstance(out[1], (tuple, list))
            ):
                out = out[1]  # (output, (h, c))
            if (
                isinstance(out, (tuple, list))
                and len(out) == 3
                and all(isinstance(t, torch.Tensor) for t in out)
            ):
                out = out[1:]  # (output, h, c)
            if (
                isinstance(out, (tuple, list))
                and len(out) == 2
                and all(isinstance(t, torch.Tensor) and tuple(t.shape) == shape for t in out)
            ):
                return tuple(out)
            return None
        if isinstance(out, torch.Tensor):
            return out if tuple(out.shape) == shape else None
        found = [t for t in _tensors(out) if tuple(t.shape) == shape]
        return found[-1] if found else None

    def one_step(self, x, state):
        """x: (B, D), state -> the next state, in the kit's form."""
        h, c = state if self.pairs else (state, None)
        out = self._call_step(self._step, self._state_form, x, h, c)
        if out is None:
            raw = self._raw_step(x, h, c)
            return raw  # not a state: the tests say what came back
        return out

    def _raw_step(self, x, h, c):
        return self._invoke(self._step, self._state_form, x, h, c)

    # -- decode -------------------------------------------------------------------------------------------------
    def _find_decode(self):
        for name in DECODE_NAMES:
            fn = getattr(self.inner, name, None)
            if callable(fn) and not isinstance(fn, type):
                return fn
        for module in self.inner.modules():
            if (
                isinstance(module, nn.Linear)
                and module.in_features == self.latent
                and module.out_features == self.output
            ):
                return module
        return None

    def _decode_fits(self) -> bool:
        if self._decode is None:
            return True  # nothing to check: the tests that need decode say it is missing
        p = self._first_parameter()
        h = torch.randn(
            2,
            self.latent,
            dtype=p.dtype if p is not None and p.is_floating_point() else torch.float32,
        )
        try:
            with torch.no_grad():
                out = self._decode(h)
        except Exception:  # noqa: BLE001
            return False
        return isinstance(out, torch.Tensor) and tuple(out.shape) == (2, self.output)

    def decode(self, h):
        if self._decode is None:
            raise AttributeError(
                f"{type(self.inner).__name__} has no decode (nor decoder) to map (B, H) to scores"
            )
        return self._decode(h)

    # -- a sequence ------------------------------------------------------------------------------------------------
    def forward(self, x, state=None):
        """x: (L, B, D) -> hidden vectors (L, B, H), from ``state`` or zeros."""
        if self._forward_form is None:
            self._forward_form = self._find_forward_form(x)
        form, batch_first, through_steps = self._forward_form
        if through_steps:
            return self._unrolled(x, state)
        out = self._call_forward(form, x.transpose(0, 1) if batch_first else x, state, batch_first)
        out = _sequence(out)
        if isinstance(out, torch.Tensor) and batch_first and out.dim() >= 2:
            out = out.transpose(0, 1)
        return out

    def _unrolled(self, x, state):
        state = self.init_state(x.shape[1]) if state is None else state
        outs = []
        for x_t in x:
            state = self.one_step(x_t, state)
            outs.append(self.hidden(state))
        return torch.stack(outs)

    def _call_forward(self, form, x, state, batch_first: bool = False):
        """The student's forward on ``x`` (already in its layout); ``form`` "x": it can start on its own."""
        fn = self.inner.forward
        if state is None:
            if form == "x":
                return fn(x)
            state = self.init_state(x.shape[0] if batch_first else x.shape[1])
        h, c = state if self.pairs else (state, None)
        return self._invoke(fn, self._forward_state_form(), x, h, c)

    def _forward_state_form(self) -> str:
        if not self.pairs:
            return "single"
        if _positional_count(self.inner.forward)[1] >= 3:
            return "args_ch" if _c_first(self.inner.forward) else "args"
        return self._state_form if self._state_form in ("pair", "list") else "pair"

    def _find_forward_form(self, x):
        """(how the state is passed, batch-first?, through the steps?) read from the signature and a probe."""
        required, positional, _ = _positional_count(self.inner.forward)
        form = "x" if required <= 1 else self._forward_state_form()
        if required > 1:
            self.conventions["forward_requires_state"] = self._forward_state_form()
        length, batch = (
            5,
            3,
        )  # a non-square probe: the roles of the first two axes show in what moves
        p = self._first_parameter()
        dtype = p.dtype if p is not None and p.is_floating_point() else torch.float32
        g = torch.Generator().manual_seed(0)
        probe = torch.randn(length, batch, self.dim, generator=g).to(dtype)
        try:
            with torch.no_grad():
                base = _sequence(self._call_forward(form, probe, None))
        except Exception:  # noqa: BLE001 - maybe batch-first (the sizes of the first two axes disagree)
            base = None
        usable = isinstance(base, torch.Tensor) and tuple(base.shape) == (
            length,
            batch,
            self.latent,
        )
        batch_first = False
        if usable:
            batch_first = self._reads_batch_first(form, probe, base, g)
        else:
            try:
                with torch.no_grad():
                    out = _sequence(self._call_forward(form, probe.transpose(0, 1), None, True))
                if isinstance(out, torch.Tensor) and tuple(out.shape) == (
                    batch,
                    length,
                    self.latent,
                ):
                    batch_first, usable = True, True
            except Exception:  # noqa: BLE001
                pass
        if batch_first:
            self.conventions["batch_first"] = True
        self.conventions["forward_returns"] = self._container(form, probe, batch_first)
        if not usable:
            self.conventions["forward_unusable"] = True
        return form, batch_first, not usable

    def _reads_batch_first(self, form, probe, base, g) -> bool:
        """A seq-first recurrent model moves later steps when step 0 changes; a batch-first one moves row 0 only."""
        moved = probe.clone()
        moved[0] = torch.randn(moved[0].shape, generator=g).to(moved.dtype)
        try:
            with torch.no_grad():
                out = _sequence(self._call_forward(form, moved, None))
        except Exception:  # noqa: BLE001
            return False
        if not isinstance(out, torch.Tensor) or out.shape != base.shape:
            return False
        later_steps = float((out[1:] - base[1:]).abs().max())
        if later_steps > 1e-6:
            return False
        across = probe.clone()
        across[:, 0] = torch.randn(across[:, 0].shape, generator=g).to(across.dtype)
        try:
            with torch.no_grad():
                out = _sequence(self._call_forward(form, across, None))
        except Exception:  # noqa: BLE001
            return False
        return (
            isinstance(out, torch.Tensor)
            and out.shape == base.shape
            and float((out[:, 1:] - base[:, 1:]).abs().max()) > 1e-6
        )

    def _container(self, form, probe, batch_first) -> str:
        try:
            with torch.no_grad():
                out = self._call_forward(
                    form, probe.transpose(0, 1) if batch_first else probe, None, batch_first
                )
        except Exception:  # noqa: BLE001
            return "error"
        if isinstance(out, torch.Tensor):
            return "tensor"
        if isinstance(out, tuple):
            return "tuple"
        if isinstance(out, list):
            return "list"
        return type(out).__name__


def _sequence(out):
    """The hidden vectors of a forward's result: a tensor, the first element of a tuple, a list stacked."""
    if isinstance(out, tuple) and out:
        out = out[0]
    if isinstance(out, list) and out and all(isinstance(t, torch.Tensor) for t in out):
        try:
            out = torch.stack(out)
        except RuntimeError:
            return out
    return out


# --- generators: the mode keyword in the student's words -------------------------------------------------------

# Keywords students give the mode of their generator: the value that asks for sampling, for greedy.
MODE_FLAGS = {
    "sample": (True, False),
    "sampling": (True, False),
    "do_sample": (True, False),
    "use_sampling": (True, False),
    "random": (True, False),
    "stochastic": (True, False),
    "sampled": (True, False),
    "multinomial": (True, False),
    "argmax": (False, True),
    "greedy": (False, True),
    "deterministic": (False, True),
    "use_argmax": (False, True),
}
MODE_WORDS = ("mode", "method", "strategy", "decoding", "how", "policy")
SAMPLE_WORDS = ("sample", "sampling", "multinomial", "random")
GREEDY_WORDS = ("greedy", "argmax", "max")
LSTM_FLAGS = ("lstm", "is_lstm", "use_lstm", "tuple_state", "has_cell")


def _signature(fn) -> dict:
    try:
        return dict(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return {}


def call_variants(fn, args: list, kwargs: dict, tuple_state: bool) -> list[tuple[list, dict]]:
    """The calls that ask ``fn`` for what the grader wants, in the student's words.

    ``kwargs`` may hold ``sample`` (True: draw from the softmax, False: greedy): it becomes the
    student's own flag (``sampling=True``, ``argmax=False``, ``mode="sample"``...), or is dropped
    when the function has none (its default is then what it does). A flag such as ``lstm=`` is set
    for an LSTM state; ``temperature`` is set to 1 for sampling.
    """
    params = _signature(fn)
    kwargs = dict(kwargs)
    wanted = kwargs.pop("sample", None)
    extra: dict = {}
    for name in params:
        low = name.lower()
        if low in LSTM_FLAGS:
            extra[name] = tuple_state
        if low in ("temperature", "temp", "t") and wanted:
            extra[name] = 1.0
    if wanted is None:
        return [(list(args), {**kwargs, **extra})]
    flags = [n for n in params if n.lower() in MODE_FLAGS]
    words = [n for n in params if n.lower() in MODE_WORDS]
    calls = []
    for name in flags:
        calls.append(
            (list(args), {**kwargs, **extra, name: MODE_FLAGS[name.lower()][0 if wanted else 1]})
        )
    for name in words:
        for word in SAMPLE_WORDS if wanted else GREEDY_WORDS:
            calls.append((list(args), {**kwargs, **extra, name: word}))
    if not calls:
        calls.append((list(args), {**kwargs, **extra}))
    return calls


# --- procedures -----------------------------------------------------------------------------------------------------


def adapted_model(cls, kind: str, dims: dict):
    """``construct`` then ``Adapted``: the student's class with the kit's protocol."""
    return Adapted(construct(cls, dims, kind), kind, dims)


def adapt(model, kind: str, dims: dict):
    """``Adapted`` over an instance already built."""
    return model if isinstance(model, Adapted) else Adapted(model, kind, dims)


def conventions(model) -> dict:
    """What was adapted (plain data), e.g. ``{"constructor": "LSTM(5, 3, 7)", "batch_first": True}``."""
    if isinstance(model, Adapted):
        info = dict(model.conventions)
        if model._forward_form is None and model.dim:
            try:
                model._forward_form = model._find_forward_form(None)
            except Exception:  # noqa: BLE001
                pass
            info = dict(model.conventions)
        return {k: v for k, v in info.items() if isinstance(v, (bool, int, float, str))}
    return dict(getattr(model, "__dict__", {}).get("_rnnkit_conventions", {}))


def used_by_step(model, x: torch.Tensor, state) -> list:
    """Names of the parameters that get a gradient through ``model.one_step(x, state)`` (the others are unused)."""
    model.zero_grad(set_to_none=True)
    out = model.one_step(x, state)
    parts = out if isinstance(out, (tuple, list)) else [out]
    total = sum(
        (p.sum() for p in parts if isinstance(p, torch.Tensor) and p.requires_grad), torch.zeros(())
    )
    if isinstance(total, torch.Tensor) and total.requires_grad:
        total.backward()
    used = [
        name
        for name, p in model.named_parameters()
        if p.grad is not None and bool(p.grad.abs().sum() > 0)
    ]
    model.zero_grad(set_to_none=True)
    return used


PROCEDURES = {
    "construct": construct,
    "used_by_step": used_by_step,
    "adapted_model": adapted_model,
    "adapt": adapt,
    "conventions": conventions,
}
