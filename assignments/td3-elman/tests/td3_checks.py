"""Grader-side helpers of the td3-elman hidden tests (not a test file: pytest does not collect it).

Everything here runs in the grader: independent float64 computations of the course equations,
the identification of a student's ``myRNN`` parameters by their shapes, and behavioural probes
that need no identification. Student code is only reached through the ``student`` fixture.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import torch

from autograder.channel import StudentError
from autograder.testing import NoLayout, Target, Wrong, describe, find_readings
from autograder.verdicts import AUTOGRAD, Verdict, hand_written

F64 = torch.float64


# --- running the student's model ------------------------------------------------------------------


@dataclass
class Outputs:
    """The student's outputs, brought to ``(B, C)`` when a known deviation allows it."""

    tensors: list  # one (B, C) tensor per input
    mode: str  # "ok" | "tuple" | "batch_first" | "all_steps"


def first_tensor(value):
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], torch.Tensor):
        return value[0], True
    return value, False


def run(
    student, model, xs: list[torch.Tensor], n_classes: int, function: str = "myRNN.forward"
) -> Outputs:
    """Run ``model`` on each ``x`` (T, B, d) in one round trip, undoing known shape deviations.

    A tuple/list return is graded on its first element, a batch-first model gets its inputs
    transposed, a model returning every step is graded on its last step: those deviations cost
    points in the shape test only.
    """
    raw = student.call("@td3_run_many", model, xs)
    outs, tuple_seen = [], False
    for value in raw:
        value, was_tuple = first_tensor(value)
        tuple_seen |= was_tuple
        outs.append(value)
    T, B = xs[0].shape[:2]
    first = outs[0]
    if not isinstance(first, torch.Tensor):
        raise Wrong("not_a_tensor", function=function, got=describe(first), legend="(B, C)")
    shape = tuple(first.shape)
    mode = "tuple" if tuple_seen else "ok"
    if shape == (B, n_classes):
        pass
    elif T != B and shape == (T, n_classes):
        raw = student.call("@td3_run_many", model, [x.transpose(0, 1).contiguous() for x in xs])
        outs = [first_tensor(v)[0] for v in raw]
        mode = "batch_first"
    elif len(shape) == 3 and shape[1:] == (B, n_classes) and shape[0] in (T, T + 1):
        outs = [o[-1] if isinstance(o, torch.Tensor) and o.dim() == 3 else o for o in outs]
        mode = "all_steps"
    for x, out in zip(xs, outs):
        if not isinstance(out, torch.Tensor):
            raise Wrong("not_a_tensor", function=function, got=describe(out), legend="(B, C)")
        expected = (x.shape[1], n_classes)
        if tuple(out.shape) != expected:
            raise Wrong(
                "shape", function=function, expected=expected, got=tuple(out.shape), legend="(B, C)"
            )
    return Outputs(outs, mode)


def to_float64(student, model):
    """The model in float64, or None (with the reason) when it does not run in float64."""
    try:
        return student.call("@to_dtype", model, "float64"), None
    except StudentError as err:
        return None, str(err)[:200]


# --- identifying the parameters by their shapes -----------------------------------------------------


# The course's Elman network as linear blocks (autograder.layouts): U (H, d) on x and W (H, H) on h
# add up into the hidden state, V (C, H) reads it out; raw parameters and Linear weights alike may
# be transposed (a square W is tried both ways).
ELMAN = Target.of(
    inputs={"x": "d", "h": "H"},
    units={"hidden": ("H", {"x": "U", "h": "W"}), "output": ("C", {"h": "V"})},
)


@dataclass(frozen=True)
class Layout:
    """One way to read the student's named parameters as (U, W, b_h, V, b_y)."""

    description: str
    canonical: Callable[
        [dict], tuple
    ]  # {name: tensor} -> U (H,d), W (H,H), b_h (H), V (C,H), b_y (C)
    has_bias_h: bool
    has_bias_y: bool


def shapes_text(shapes: dict) -> str:
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items()) or "aucun / none"


def find_layouts(shapes: dict, d: int, H: int, C: int) -> list[Layout]:
    """Every reading of the parameters (by shape) as the course's U, W, b_h, V, b_y.

    ``d``, ``H``, ``C`` and ``d + H`` must all differ (and exceed 1). Square ``W`` is tried both
    ways (``W h`` or ``h W``); one Linear on a concatenation is tried as ``[x, h]`` and ``[h, x]``;
    several bias vectors of one size add up (``b_h`` split between two Linears). ``NoLayout``
    (``autograder.layouts``): kind "unknown" or "missing".
    """
    found = find_readings(ELMAN, shapes, {"d": d, "H": H, "C": C}, transpose="all")
    return [
        Layout(
            reading.description,
            lambda p, r=reading: (
                r.weight("U", p),
                r.weight("W", p),
                r.bias("hidden", p),
                r.weight("V", p),
                r.bias("output", p),
            ),
            reading.has_bias("hidden"),
            reading.has_bias("output"),
        )
        for reading in found
    ]


def constructor_permutation(shapes: dict, d: int, H: int, C: int):
    """The (dim, latent, n_classes) the parameters fit when the arguments were read in another order."""
    for perm in itertools.permutations((d, H, C)):
        if perm == (d, H, C) or len(set(perm + (perm[0] + perm[1],))) < 4:
            continue
        try:
            find_layouts(shapes, *perm)
            return perm
        except NoLayout:
            continue
    return None


def random_values(shapes: dict, generator: torch.Generator, scale: float = 0.7, dtype=F64) -> dict:
    """Known values for every parameter (by name), normal with a std of ``scale``."""
    return {
        name: scale * torch.randn(tuple(shape), generator=generator, dtype=dtype)
        for name, shape in shapes.items()
    }


def tame_values(shapes: dict, generator: torch.Generator, dtype=torch.float32) -> dict:
    """Values that keep any layout's recurrence stable: std 1/sqrt(largest dimension)."""
    return {
        name: torch.randn(tuple(shape), generator=generator, dtype=dtype)
        / max(max(shape, default=1), 1) ** 0.5
        for name, shape in shapes.items()
    }


# --- the equations, computed independently in the grader --------------------------------------------

VARIANTS = {  # deviation -> catalog key
    "tanh": "td3_tanh",
    "no_activation": "td3_no_activation",
    "activation_after_loop": "td3_activation_after_loop",
    "first_step": "td3_first_step",
    "off_by_one": "td3_off_by_one",
    "state_not_carried": "td3_state_not_carried",
    "no_softmax": "td3_no_softmax",
    "log_softmax": "td3_log_softmax",
    "softmax_dim0": "td3_softmax_dim",
    "sigmoid_output": "td3_sigmoid",
}


def equations(U, W, b_h, V, b_y, x, variant: str = "correct", detach: bool = False):
    """y = softmax(V h_T + b_y), h_t = ReLU(U x_t + W h_{t-1} + b_h), h_0 = 0; x (T, B, d) -> (B, C).

    ``variant`` computes one of the realistic deviations of ``VARIANTS`` instead.
    """
    T, B, _ = x.shape
    h = torch.zeros(B, U.shape[0], dtype=x.dtype)
    if variant == "tanh":
        act = torch.tanh
    elif variant in ("no_activation", "activation_after_loop"):
        act = lambda z: z  # noqa: E731
    else:
        act = torch.relu
    states = []
    for t in range(T):
        previous = h.detach() if detach else h
        recurrent = 0 if variant == "state_not_carried" else previous @ W.T
        h = act(x[t] @ U.T + recurrent + b_h)
        states.append(h)
    if variant == "activation_after_loop":
        states = [torch.relu(s) for s in states]
    if variant == "first_step":
        last = states[0]
    elif variant == "off_by_one":
        last = states[-2] if T > 1 else torch.zeros_like(h)
    else:
        last = states[-1]
    scores = last @ V.T + b_y
    if variant == "no_softmax":
        return scores
    if variant == "log_softmax":
        return torch.log_softmax(scores, dim=1)
    if variant == "softmax_dim0":
        return torch.softmax(scores, dim=0)
    if variant == "sigmoid_output":
        return torch.sigmoid(scores)
    return torch.softmax(scores, dim=1)


def close(a: torch.Tensor, b: torch.Tensor, atol: float, rtol: float = 1e-5) -> bool:
    return (
        a.shape == b.shape
        and bool(torch.isfinite(a).all())
        and bool(((a.to(F64) - b.to(F64)).abs() <= atol + rtol * b.to(F64).abs()).all())
    )


def worst(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.shape != b.shape:
        return float("inf")
    return float((a.to(F64) - b.to(F64)).abs().max())


# --- behaviour, for any layout -------------------------------------------------------------------------


def changed(a: torch.Tensor, b: torch.Tensor, tol: float = 1e-6) -> bool:
    return float((a.to(F64) - b.to(F64)).abs().max()) > tol


def memory_problem(student, model, d: int, C: int, generator: torch.Generator) -> str | None:
    """Which catalog key the model's use of time breaks (last step, carried state, order), or None."""
    T, B = 5, 8
    x = torch.randn(T, B, d, generator=generator)
    last = x.clone()
    last[-1] = torch.randn(B, d, generator=generator)
    previous = x.clone()
    previous[-2] = 2 * torch.randn(B, d, generator=generator)
    single = torch.randn(1, B, d, generator=generator)
    out, out_last, out_previous, out_flip, only_first, other_single = run(
        student, model, [x, last, previous, x.flip(0), x[:1], single], C
    ).tensors
    if not changed(out, out_last):
        if not changed(out, only_first):
            return "td3_first_step"
        if not changed(
            only_first, other_single
        ):  # one step in, nothing read: the state before x_T is decoded
            return "td3_off_by_one"
        return "td3_last_step_ignored"
    if not changed(out, out_previous):
        return "td3_state_not_carried"
    if not changed(out, out_flip):
        return "td3_order_ignored"
    return None


def activation_problem(student, model, d: int, C: int, generator: torch.Generator) -> str | None:
    """Probe the non-linearity with growing inputs (T = 1), without knowing the parameters.

    With ReLU, the centred log-probabilities L(s x) become affine in s once s is large (the biases
    no longer matter): L(4s) - L(2s) = 2 (L(2s) - L(s)), for the largest s where no probability
    underflows yet. A bounded activation (tanh, sigmoid) saturates, so the differences vanish;
    without any activation the network is odd in x for large s: the growth of L(s x) is the
    opposite of that of L(-s x). Inputs whose units are all off (constant output) are left out.
    """
    n, scales = 12, [2.0**k for k in range(15)]
    base = torch.randn(1, n, d, generator=generator, dtype=F64)
    model64, _ = to_float64(student, model)
    xs = torch.cat([s * sign * base for s in scales for sign in (1, -1)], dim=1)  # (1, 2 n K, d)
    if model64 is not None:
        try:
            out = run(student, model64, [xs], C).tensors[0].to(F64)
        except StudentError:
            model64 = None
    if model64 is None:
        student.call("@to_dtype", model, "float32")
        out = run(student, model, [xs.float()], C).tensors[0].to(F64)
    logp = out.clamp_min(0).log().reshape(len(scales), 2, n, C)  # scale, sign, row, class
    logp = logp - logp.mean(dim=-1, keepdim=True)
    valid = torch.isfinite(logp).all(dim=-1)  # (K, 2, n)
    growing = affine = both = odd = 0
    for row in range(n):
        ks = [k for k in range(len(scales) - 2) if bool(valid[k : k + 3, :, row].all())]
        if not ks:
            continue
        k = ks[-1]
        d1 = logp[k + 1, :, row] - logp[k, :, row]  # (sign, C)
        d2 = logp[k + 2, :, row] - logp[k + 1, :, row]
        n1, n2 = d1.norm(dim=-1), d2.norm(dim=-1)
        grows = (
            n1 > 1e-9
        )  # a ReLU network whose units are all off for this input is constant: left out
        ok = grows & ((n2 / n1.clamp_min(1e-300) - 2).abs() < 0.25)
        growing += int(grows.sum())
        affine += int(ok.sum())
        if bool(ok.all()):
            both += 1
            odd += int(float((d1[0] + d1[1]).norm()) < 0.02 * float(n1.sum()))
    if growing < 4 or affine < 0.75 * growing:
        return "td3_tanh"
    if both >= 3 and odd >= 0.8 * both:
        return "td3_no_activation"
    return None


PROBLEMS = {  # catalog key -> (fr, en) phrase for the layout_unknown message
    "td3_tanh": (
        "la sortie sature quand les entrées grandissent, comme avec tanh ; le TD demande un ReLU.",
        "the output saturates as inputs grow, as with tanh; the tutorial asks for a ReLU.",
    ),
    "td3_no_activation": (
        "le modèle se comporte comme s'il n'avait aucune non-linéarité ; il faut un ReLU.",
        "the model behaves as if it had no non-linearity; it needs a ReLU.",
    ),
    "td3_first_step": (
        "la sortie ne dépend pas du dernier pas de temps (premier état décodé ?).",
        "the output does not depend on the last time step (first state decoded?).",
    ),
    "td3_off_by_one": (
        "la sortie ne dépend pas du dernier pas de temps (état h_{T-1} décodé).",
        "the output does not depend on the last time step (state h_{T-1} decoded).",
    ),
    "td3_last_step_ignored": (
        "la sortie ne dépend pas du dernier pas de temps.",
        "the output does not depend on the last time step.",
    ),
    "td3_state_not_carried": (
        "la sortie ne dépend que du dernier pas : l'état n'est pas transmis.",
        "the output depends on the last step only: the state is not carried.",
    ),
    "td3_order_ignored": (
        "la sortie ne dépend pas de l'ordre des pas de temps.",
        "the output does not depend on the order of the time steps.",
    ),
    "td3_no_softmax": (
        "les sorties ne sont pas des probabilités (lignes de somme 1).",
        "the outputs are not probabilities (rows summing to 1).",
    ),
}


def probabilities_problem(out: torch.Tensor) -> tuple[str, dict] | None:
    """Catalog key and params when ``out`` (B, C) is not one distribution per row."""
    out = out.to(F64)
    rows = out.sum(dim=1)
    if bool((out >= -1e-6).all()) and bool(((rows - 1).abs() <= 1e-4).all()):
        return None
    bad = int(((rows - 1).abs()).argmax())
    params = {"row": bad, "total": f"{float(rows[bad]):.4g}"}
    if bool(torch.isfinite(out).all()):
        if bool((out <= 1e-6).all()) and bool(((out.exp().sum(dim=1) - 1).abs() <= 1e-4).all()):
            return "td3_log_softmax", {}
        if (
            out.shape[0] > 1
            and bool((out >= -1e-6).all())
            and bool(((out.sum(dim=0) - 1).abs() <= 1e-4).all())
        ):
            return "td3_softmax_dim", {}
        if bool((out >= -1e-6).all()) and bool((out <= 1 + 1e-6).all()):
            return "td3_sigmoid", params
    return "td3_no_softmax", params


# --- Exercise 3: independent Jacobian and BPTT -------------------------------------------------------


def states(U, W, x):
    """h_t = tanh(U x_t + W h_{t-1}), h_{-1} = 0, written independently of the notebook."""
    h, hs = torch.zeros(U.shape[0], dtype=U.dtype), []
    for t in range(x.shape[0]):
        h = torch.tanh(U @ x[t] + W @ h)
        hs.append(h)
    return torch.stack(hs)


def autograd_jacobian(U, W, x):
    return torch.autograd.functional.jacobian(lambda u: states(u, W, x), U)


def autograd_bptt(U, W, x, grad_h):
    u = U.detach().clone().requires_grad_(True)
    (grad_h * states(u, W, x)).sum().backward()
    return u.grad.detach()


def jacobian_variant(U, W, x, variant: str):
    """The forward-mode recursion with one realistic mistake (J (T, H, H, d))."""
    H, d = U.shape
    h = states(U, W, x)
    eye = torch.eye(H, dtype=U.dtype)
    dh = torch.zeros(H, H, d, dtype=U.dtype)
    out = []
    for t in range(x.shape[0]):
        direct = eye[:, :, None] * x[t]
        Wr = W.T if variant == "recurrence_transposed" else W
        rec = 0 if variant == "missing_recurrence" else torch.einsum("ik,kab->iab", Wr, dh)
        if variant == "missing_tanh_derivative":
            factor = torch.ones(H, dtype=U.dtype)
        elif variant == "derivative_wrong_step":
            factor = 1 - (h[t - 1] if t > 0 else torch.zeros(H, dtype=U.dtype)) ** 2
        else:
            factor = 1 - h[t] ** 2
        dh = factor[:, None, None] * (direct + rec)
        out.append(dh)
    J = torch.stack(out)
    if variant == "transposed":
        J = J.transpose(1, 2)
    return J


def bptt_variant(U, W, x, grad_h, variant: str):
    """Reverse-mode BPTT with one realistic mistake (dL/dU (H, d))."""
    h = states(U, W, x)
    T, H = h.shape
    grad = torch.zeros_like(U)
    back = torch.zeros(H, dtype=U.dtype)
    for t in reversed(range(T)):
        direct = (
            grad_h[t] if (variant != "only_last" or t == T - 1) else torch.zeros(H, dtype=U.dtype)
        )
        Wr = W if variant == "recurrence_transposed" else W.T
        total = direct + (0 if variant == "missing_recurrence" else Wr @ back)
        if variant == "missing_tanh_derivative":
            factor = torch.ones(H, dtype=U.dtype)
        elif variant == "derivative_wrong_step":
            factor = 1 - (h[t - 1] if t > 0 else torch.zeros(H, dtype=U.dtype)) ** 2
        else:
            factor = 1 - h[t] ** 2
        back = total * factor
        grad = grad + torch.outer(back, x[t])
    return grad


JACOBIAN_VARIANTS = {
    "transposed": "td3_jacobian_transposed",
    "missing_tanh_derivative": "td3_missing_tanh_derivative",
    "missing_recurrence": "td3_missing_recurrence",
    "recurrence_transposed": "td3_recurrence_transposed",
    "derivative_wrong_step": "td3_derivative_wrong_step",
}
BPTT_VARIANTS = {
    "missing_tanh_derivative": "td3_missing_tanh_derivative",
    "missing_recurrence": "td3_missing_recurrence",
    "recurrence_transposed": "td3_recurrence_transposed",
    "derivative_wrong_step": "td3_derivative_wrong_step",
    "only_last": "td3_bptt_only_last",
}


def random_instance(T: int, H: int, d: int, generator: torch.Generator, dtype=F64):
    U = 0.6 * torch.randn(H, d, generator=generator, dtype=dtype)
    W = 0.6 * torch.randn(H, H, generator=generator, dtype=dtype)
    x = torch.randn(T, d, generator=generator, dtype=dtype)
    grad_h = torch.randn(T, H, generator=generator, dtype=dtype)
    return U, W, x, grad_h


def autograd_rule(source, name: str) -> Verdict:
    """Wrong when the code ``name`` reaches differentiates automatically (read in the grader: the
    worker's watch below only sees what runs in the calling thread); else the verdict, whose
    doubts (exec, threads, torch internals anywhere) the test settles once the values pass."""
    return hand_written(
        None,
        source,
        name,
        None,
        "td3_uses_autograd",
        field="used",
        forbid=(AUTOGRAD,),
        function=name,
    )


def call_no_autograd(student, name: str, args: list):
    """Call ``name`` in the worker with autograd watched; Wrong if it differentiated automatically."""
    reply = student.call("@td3_no_autograd", student.get(name), args)
    if reply["autograd"] or reply["requires_grad"]:
        used = ", ".join(reply["autograd"]) or "requires_grad"
        raise Wrong("td3_uses_autograd", function=name, used=used)
    return reply["result"]
