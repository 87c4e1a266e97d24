"""Hidden tests of Q1, ``class RNN(dim, latent, output)``: ``one_step``, ``forward``, ``decode``.

The parameter layout is free (two Linears with or without biases, one Linear on ``[x, h]`` or
``[h, x]``, raw Parameters in either orientation). Sizes D=3, H=5, O=4 (and D+H=8) make each
parameter's role show in its shape: the parameters are pinned to known values through every
reading that fits and compared in float64 with ``torch.nn.RNN``; when none fits, ``one_step`` is
fitted from its outputs instead (behavioural), and the 0-point test says so.

Deviations of ``forward``'s return (batch-first, tuple, list, h_0 included, a step dropped) cost
the public format test only: every test here reads ``forward`` through the adapter
(``test_public.read_forward``) and grades the maths behind it.
"""

import dataclasses
import functools

import torch
import torch.nn.functional as F

from autograder.channel import StudentError
from autograder.testing import Wrong, expect_close, expect_shape, grade, lab_module
from autograder.verdicts import hand_written

K = lab_module(__file__, "tp3_checks")
F64 = torch.float64
D, H, O, L, B = K.D, K.H, K.O, K.L, K.B


@dataclasses.dataclass
class Pinned:
    """A fresh student RNN with every parameter set to known values, and its forward read."""

    model: object
    shapes: dict
    values: dict  # float64 values by parameter name
    dtype: torch.dtype
    x: torch.Tensor
    h0: torch.Tensor
    reading: object
    reply: dict
    atol: float


def pinned(student, generator, scale=0.5) -> Pinned:
    """RNN(D, H, O), parameters pinned, in float64 when the model runs in float64 (else float32)."""
    model = K.new_rnn(student, D, H, O)
    shapes = K.shapes_of(student, model)
    values = K.random_values(shapes, generator, scale)
    x = torch.randn(L, B, D, generator=generator, dtype=F64)
    h0 = 0.5 * torch.randn(B, H, generator=generator, dtype=F64)
    if K.to_float64(student, model) is not None:
        student.set_parameters(model, values)
        try:
            reading, reply = K.forward_reading(student, model, x, h0, H)
            if reading.states is not None and "ok" in reply["unrolled"]:
                return Pinned(model, shapes, values, F64, x, h0, reading, reply, 1e-8)
        except StudentError as err:
            if err.kind == "not_implemented":
                raise
    student.call(
        "@to_dtype", model, "float32"
    )  # float64 trouble is test_rnn_float64_and_edge_sizes' business
    student.set_parameters(model, values)
    reading, reply = K.forward_reading(student, model, x.float(), h0.float(), H)
    return Pinned(model, shapes, values, torch.float32, x.float(), h0.float(), reading, reply, 2e-5)


def readable(p: Pinned):
    """Raise the format problem when forward's states cannot be read at all; the unrolled one_step."""
    if p.reading.states is None:
        key, params = K.format_problem(p.reading, L, B, H)
        raise Wrong(key, **params)
    return K.ok(p.reply["unrolled"], "RNN.one_step")


@functools.lru_cache(maxsize=4)
def reference_agrees(reference_id: int, rnn_class) -> bool:
    """The reference RNN equals torch.nn.RNN (values and gradients) with its own weights: the grader's sanity."""
    g = torch.Generator().manual_seed(5)
    torch.manual_seed(5)
    ref = rnn_class(D, H, O).double()
    values = {n: p.detach().clone() for n, p in ref.named_parameters()}
    x, h0 = torch.randn(L, B, D, generator=g, dtype=F64), torch.randn(B, H, generator=g, dtype=F64)
    for layout in K.find_layouts({n: tuple(v.shape) for n, v in values.items()}):
        expected = K.torch_rnn_states(*layout.canonical(values), x, h0)
        if K.close(ref(x, h0).detach(), expected, 1e-10) and layout.decoder is not None:
            Wd, bd = layout.decoder(values)
            states = torch.randn(4, H, generator=g, dtype=F64)
            if K.close(ref.decode(states).detach(), F.linear(states, Wd, bd), 1e-10):
                return True
    raise RuntimeError(
        "the reference RNN no longer agrees with torch.nn.RNN: the grading tests need updating"
    )


def matching_layout(p: Pinned, unrolled):
    """The first reading of the parameters under which one_step is torch.nn.RNN's cell, or None."""
    try:
        layouts = K.find_layouts(p.shapes)
    except K.NoLayout:
        return None, None
    for layout in layouts:
        expected = K.torch_rnn_states(*layout.canonical(p.values), p.x.double(), p.h0.double())
        if K.close(unrolled, expected, p.atol, 1e-6):
            return layout, expected
    return None, None


@grade("Q1", points=0, timeout=20)
def test_rnn_parameters_identified(student):
    """0 point: says when the parameters' roles cannot be read from their shapes (other tests then fit one_step)."""
    model = K.new_rnn(student, D, H, O)
    shapes = K.shapes_of(student, model)
    try:
        K.find_layouts(shapes)
    except K.NoLayout as no:
        raise Wrong(
            "tp3_layout_unknown", shapes=K.shapes_text(shapes), detail=no.detail, D=D, H=H, O=O
        ) from None


@grade("Q1", points=0.5, timeout=20)
def test_rnn_forward_iterates_one_step(student, seed):
    """forward(x, h) = one_step iterated from h, states h_1..h_L; forward(x) starts from zeros."""
    g = torch.Generator().manual_seed(seed)
    model = K.new_rnn(student, D, H, O)
    x, h0 = torch.randn(L, B, D, generator=g), 0.5 * torch.randn(B, H, generator=g)
    reading, reply = K.forward_reading(student, model, x, h0, H)
    if reading.states is None:
        key, params = K.format_problem(reading, L, B, H)
        raise Wrong(key, **params)
    K.ok(reply["unrolled"], "RNN.one_step")
    if not reading.pass_h:
        raise Wrong("tp3_forward_no_h", error=reply["fw"].get("error", "")[:200])
    problem = K.forward_problem(reading, reply, h0, 1e-5)
    if problem is not None:
        raise Wrong(problem[0], **problem[1])
    none = reply["fw_t_none" if reading.input_t else "fw_none"]
    if "error" in none and _requires_state(none["error"]):
        return  # forward(x, h) with h required: the course's own signature, nothing to start from zeros
    if "error" in none:
        raise Wrong("tp3_forward_h_none", error=none["error"][:200])
    states, _ = K.unwrap(none["ok"])
    if isinstance(states, torch.Tensor) and reading.output_t and states.dim() == 3:
        states = states.transpose(0, 1)
    zero = K.ok(reply["unrolled_zero"], "RNN.one_step")
    if not isinstance(states, torch.Tensor) or states.shape != reading.states.shape:
        raise Wrong("tp3_forward_default_state", worst="?")
    part, full = dataclasses.replace(reading, states=states).overlap(zero)
    if not K.close(part, full):
        raise Wrong("tp3_forward_default_state", worst=f"{K.worst(part, full):.3g}")


def _requires_state(error: str) -> bool:
    """A forward called without h failed only because its signature requires h (``forward(x, h)``)."""
    return error.startswith("TypeError") and "missing 1 required positional argument" in error


@grade("Q1", points=0.5, timeout=20)
def test_rnn_batch_rows_independent(student, seed):
    """Changing one sequence of the batch changes its own states only (forward and one_step)."""
    g = torch.Generator().manual_seed(seed)
    model = K.new_rnn(student, D, H, O)
    reading, reply = K.forward_reading(
        student, model, torch.randn(L, B, D, generator=g), 0.5 * torch.randn(B, H, generator=g), H
    )
    if reading.states is None:
        key, params = K.format_problem(reading, L, B, H)
        raise Wrong(key, **params)
    batch = 5
    x, h0 = torch.randn(L, batch, D, generator=g), 0.5 * torch.randn(batch, H, generator=g)
    other = x.clone()
    other[:, 0] = torch.randn(L, D, generator=g)
    outs = student.call("@tp3_states", model, [x, other], [h0, h0], reading.spec(H))
    first, second = K.ok(outs[0], "RNN.forward"), K.ok(outs[1], "RNN.forward")
    expect_shape(first, (L, batch, H), "RNN.forward", "(L, B, H)")
    if not K.close(first[:, 1:], second[:, 1:], 1e-6):
        raise Wrong("tp3_batch_leak", function="RNN.forward", row=0)
    if K.close(first[:, 0], second[:, 0], 1e-9):
        raise Wrong("tp3_batch_row_ignored", function="RNN.forward", row=0)
    X, S = torch.randn(batch, D, generator=g), torch.randn(batch, H, generator=g)
    X2 = X.clone()
    X2[0] = torch.randn(D, generator=g)
    steps = student.call("@tp3_calls", model, [["one_step", [X, S], {}], ["one_step", [X2, S], {}]])
    a, b = K.ok(steps[0], "RNN.one_step"), K.ok(steps[1], "RNN.one_step")
    if not K.close(a[1:], b[1:], 1e-6):
        raise Wrong("tp3_batch_leak", function="RNN.one_step", row=0)


@grade("Q1", points=1.25, timeout=30)
def test_rnn_matches_torch_rnn(student, source, seed, reference):
    """one_step and forward equal torch.nn.RNN(tanh) (float64) with the student's weights, any layout.

    The class must compute the recurrence itself (no torch recurrent module reachable from it).
    """
    reference_agrees(id(reference), reference["RNN"])
    g = torch.Generator().manual_seed(seed)
    p = pinned(student, g)
    rule = hand_written(student, source, "RNN", p.model, "tp3_uses_nn_rnn")
    _matches_torch_rnn(student, p, g)
    rule.review_if_doubtful()


def _matches_torch_rnn(student, p, g):
    if not p.shapes:
        raise Wrong("tp3_no_parameters")
    unrolled = readable(p)
    layout, expected = matching_layout(p, unrolled)
    if layout is None:
        fit = K.fit_one_step(student, p.model, D, H, g, p.dtype)
        problem = K.fit_problem(fit)
        if problem is not None:
            raise Wrong(problem, shapes=K.shapes_text(p.shapes))
        frozen = K.frozen_weights(student, p, fit, g)
        if frozen:
            raise Wrong("tp3_weights_not_parameters", which=frozen, shapes=K.shapes_text(p.shapes))
        expected = K.torch_rnn_states(fit.Wi, fit.Wh, fit.b, p.x.double(), p.h0.double())
        expect_close(
            unrolled,
            expected,
            "RNN.one_step",
            what="états / states",
            legend="(L, B, H)",
            atol=100 * p.atol,
            rtol=1e-5,
        )
    elif not layout.has_bias:
        raise Wrong("tp3_no_hidden_bias", shapes=K.shapes_text(p.shapes))
    part, full = p.reading.overlap(expected)
    if not K.close(part, full, 100 * p.atol, 1e-5):
        problem = K.forward_problem(p.reading, p.reply, p.h0, 100 * p.atol)
        if problem is not None:
            raise Wrong(problem[0], **problem[1])
        expect_close(
            part,
            full,
            "RNN.forward",
            what="états / states",
            legend="(L, B, H)",
            atol=100 * p.atol,
            rtol=1e-5,
        )


@grade("Q1", points=1, timeout=30)
def test_rnn_gradients_match_torch_rnn(student, seed):
    """Gradients (float64) w.r.t. every parameter, x and h_0: torch.nn.RNN's when the states are its states,
    else (the maths already cost test_rnn_matches_torch_rnn) finite differences of the student's own forward."""
    g = torch.Generator().manual_seed(seed)
    p = pinned(student, g)
    unrolled = readable(p)
    grad_out = torch.randn(L, B, H, generator=g, dtype=F64)
    spec = p.reading.spec(H)
    got = student.call("@tp3_grad", p.model, p.x, p.h0, grad_out.to(p.dtype), spec)
    layout, expected = matching_layout(p, unrolled)
    tol = 1000 * p.atol
    if layout is not None and K.close(got["states"], expected, tol, 1e-5):
        leaves = {n: v.clone().requires_grad_(True) for n, v in p.values.items()}
        x, h0 = (
            p.x.double().clone().requires_grad_(True),
            p.h0.double().clone().requires_grad_(True),
        )
        Wi, Wh, b = layout.canonical(leaves)
        (K.torch_rnn_states(Wi, Wh, b, x, h0) * grad_out).sum().backward()
        wanted = {"x": x.grad, "h_0": h0.grad}
        gotten = {"x": got["grad_x"], "h_0": got["grad_h0"]}
        for name, leaf in leaves.items():
            wanted[name] = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
            gotten[name] = got["params"].get(name)
        for name, want in wanted.items():
            have = gotten[name] if gotten[name] is not None else torch.zeros_like(want)
            if K.close(have, want, tol, 1e-5):
                continue
            if detached_matches(Wi, Wh, b, p, grad_out, got, tol):
                raise Wrong("tp3_state_detached")
            expect_close(
                have,
                want,
                "RNN (rétropropagation / backward)",
                what=f"gradient de / of {name}",
                atol=tol,
                rtol=1e-5,
            )
        return
    finite_differences(student, p, grad_out, got, spec, g)


def detached_matches(Wi, Wh, b, p, grad_out, got, tol) -> bool:
    """Do the student's gradients of x equal those of a recurrence whose state is detached at each step?"""
    Wi, Wh = Wi.detach(), Wh.detach()
    b = None if b is None else b.detach()
    x = p.x.double().clone().requires_grad_(True)
    (K.detached_states(Wi, Wh, b, x, p.h0.double()) * grad_out).sum().backward()
    return got["grad_x"] is not None and K.close(got["grad_x"], x.grad, tol, 1e-5)


def finite_differences(student, p: Pinned, grad_out, got, spec, generator):
    """Autograd's gradients against central differences of the student's own forward, along random directions."""
    eps = 1e-6 if p.dtype == F64 else 1e-2
    rtol = 1e-5 if p.dtype == F64 else 5e-2
    vx = torch.randn(p.x.shape, generator=generator, dtype=F64)
    vh = torch.randn(p.h0.shape, generator=generator, dtype=F64)
    directions = {
        n: torch.randn(v.shape, generator=generator, dtype=F64) for n, v in p.values.items()
    }

    def objective(states):
        return float((K.ok(states, "RNN.forward").double() * grad_out).sum())

    plus, minus = student.call(
        "@tp3_states",
        p.model,
        [(p.x.double() + eps * vx).to(p.dtype), (p.x.double() - eps * vx).to(p.dtype)],
        [(p.h0.double() + eps * vh).to(p.dtype), (p.h0.double() - eps * vh).to(p.dtype)],
        spec,
    )
    numeric_inputs = (objective(plus) - objective(minus)) / (2 * eps)
    around = []
    for sign in (1, -1):
        student.set_parameters(
            p.model, {n: v + sign * eps * directions[n] for n, v in p.values.items()}
        )
        around.append(objective(student.call("@tp3_states", p.model, [p.x], [p.h0], spec)[0]))
    student.set_parameters(p.model, p.values)
    numeric_params = (around[0] - around[1]) / (2 * eps)

    def dot(grads: dict, dirs: dict) -> float:
        return sum(
            float((grads[n].double() * d).sum())
            for n, d in dirs.items()
            if grads.get(n) is not None
        )

    analytic_inputs = dot({"x": got["grad_x"], "h": got["grad_h0"]}, {"x": vx, "h": vh})
    analytic_params = dot(got["params"], directions)
    for what, analytic, numeric in (
        ("x, h_0", analytic_inputs, numeric_inputs),
        ("paramètres / parameters", analytic_params, numeric_params),
    ):
        if abs(analytic - numeric) > rtol * max(1.0, abs(numeric)):
            raise Wrong("tp3_gradients_cut", what=what)


@grade("Q1", points=0.75, timeout=20)
def test_rnn_decode_is_affine_raw_scores(student, seed):
    """decode(h) = W_d h + b_d: raw scores (no softmax/sigmoid), any leading dimensions."""
    g = torch.Generator().manual_seed(seed)
    model = K.new_rnn(student, D, H, O)
    shapes = K.shapes_of(student, model)
    values = K.random_values(shapes, g, 0.5)
    dtype = F64 if K.to_float64(student, model) is not None else torch.float32
    student.set_parameters(model, values)
    states = torch.randn(16, H, generator=g, dtype=dtype)
    stacked = torch.randn(3, 2, H, generator=g, dtype=dtype)
    out, lead, zero = student.call(
        "@tp3_calls",
        model,
        [
            ["decode", [states], {}],
            ["decode", [stacked], {}],
            ["decode", [torch.zeros(2, H, dtype=dtype)], {}],
        ],
    )
    out = expect_shape(K.ok(out, "RNN.decode"), (16, O), "RNN.decode", "(B, O)")
    kind = K.decode_kind(out, states)
    if kind != "raw":
        raise Wrong(
            {
                "softmax": "tp3_decode_softmax",
                "log_softmax": "tp3_decode_log_softmax",
                "sigmoid": "tp3_decode_sigmoid",
                "tanh": "tp3_decode_tanh",
            }.get(kind, "tp3_decode_not_affine")
        )
    if "ok" in zero and isinstance(zero["ok"], torch.Tensor) and bool((zero["ok"] == 0).all()):
        raise Wrong("tp3_no_decode_bias")
    try:
        layouts = K.find_layouts(shapes)
    except K.NoLayout:
        layouts = []
    decoders = [layout.decoder for layout in layouts[:1] if layout.decoder is not None]
    if decoders:
        Wd, bd = decoders[0](values)
        expect_close(
            out,
            F.linear(states.double(), Wd, bd),
            "RNN.decode",
            what="scores",
            legend="(B, O)",
            atol=1e-8 if dtype == F64 else 1e-4,
        )
    if (
        "error" in lead
        or not isinstance(lead["ok"], torch.Tensor)
        or tuple(lead["ok"].shape) != (3, 2, O)
    ):
        got = lead.get("error") or K.describe(lead["ok"])
        raise Wrong("tp3_decode_leading_dims", got=str(got)[:200])
    flat = K.ok(
        student.call("@tp3_calls", model, [["decode", [stacked.reshape(6, H)], {}]])[0],
        "RNN.decode",
    )
    if not K.close(lead["ok"].reshape(6, O), flat, 1e-6):
        raise Wrong("tp3_decode_leading_dims", got="valeurs différentes / different values")


@grade("Q1", points=1, timeout=30)
def test_rnn_float64_and_edge_sizes(student, seed):
    """L = 1, B = 1 and tiny sizes give the right shapes; a float64 model keeps float64 (forward(x) too)."""
    g = torch.Generator().manual_seed(seed)
    order = K.PUBLIC.rnn_argument_order(student)
    model = K.new_rnn(student, D, H, O, order)
    reading, reply = K.forward_reading(
        student, model, torch.randn(L, B, D, generator=g), 0.5 * torch.randn(B, H, generator=g), H
    )
    if reading.states is None:
        key, params = K.format_problem(reading, L, B, H)
        raise Wrong(key, **params)
    for d, h, o in ((2, 7, 3), (1, 1, 1)):
        small = K.new_rnn(student, d, h, o, order)
        sizes = ((1, 1), (1, 3), (4, 1))
        xs = [torch.randn(length, batch, d, generator=g) for length, batch in sizes]
        hs = [torch.zeros(batch, h) for _, batch in sizes]
        outs = student.call("@tp3_states", small, xs, hs, reading.spec(h))
        for (length, batch), out in zip(sizes, outs):
            where = f"RNN({d}, {h}, {o}).forward, x {(length, batch, d)}"
            expect_shape(K.ok(out, "RNN.forward"), (length, batch, h), where, "(L, B, H)")
        calls = student.call(
            "@tp3_calls", small, [["one_step", [xs[2][0], hs[2]], {}], ["decode", [hs[1]], {}]]
        )
        expect_shape(
            K.ok(calls[0], "RNN.one_step"), (1, h), f"RNN({d}, {h}, {o}).one_step", "(B, H)"
        )
        expect_shape(K.ok(calls[1], "RNN.decode"), (3, o), f"RNN({d}, {h}, {o}).decode", "(B, O)")
    if K.to_float64(student, model) is None:
        raise Wrong("tp3_state_dtype", detail="model.to(torch.float64)")
    x = torch.randn(L, B, D, generator=g, dtype=F64)
    xin = x.transpose(0, 1) if reading.input_t else x
    zeros = torch.zeros(B, H, dtype=F64)
    # forward(x) when it works in float32 (else test_rnn_forward_iterates_one_step has said why): h = None
    # must give a float64 state for a float64 model (init_state, or zeros with x's dtype).
    without_state = "ok" in reply["fw_t_none" if reading.input_t else "fw_none"]
    calls = [
        ["", [xin] if without_state else [xin, zeros], {}],
        ["one_step", [x[0], zeros], {}],
        ["decode", [zeros], {}],
    ]
    results = student.call("@tp3_calls", model, calls)
    for (name, _, _), result in zip(calls, results):
        name = name or "forward"
        if "error" in result:
            if result.get("not_implemented"):
                K.raise_student(result, f"RNN.{name}")
            raise Wrong("tp3_state_dtype", detail=f"RNN.{name}: {result['error']}"[:240])
        tensor, _ = K.unwrap(result["ok"])
        if not isinstance(tensor, torch.Tensor) or tensor.dtype != F64:
            got = (
                str(tensor.dtype).replace("torch.", "")
                if isinstance(tensor, torch.Tensor)
                else K.describe(tensor)
            )
            raise Wrong("tp3_state_dtype", detail=f"RNN.{name} -> {got}")
