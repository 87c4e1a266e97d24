"""Hidden tests of Ex2-Q1, ``myRNN(dim, latent, n_classes)``: a many-to-one ReLU RNN, (T, B, d) -> (B, C).

The layout of the parameters is free. The equations are checked exactly by identifying the
student's parameters from their shapes (sizes where d, H, C and d + H all differ), pinning them to
known values and comparing in float64 with an independent computation; when several readings fit
(square W used as W h or h W, one Linear on [x, h] or [h, x]) each is tried. When no reading fits,
behavioural probes decide instead. Shape deviations (tuple return, batch-first input, all steps
returned) cost the public shape test only: the other tests grade through an adapter.
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, grade, lab_module
from autograder.verdicts import hand_written

K = lab_module(__file__, "td3_checks")
F64 = torch.float64
D, H, C = 3, 5, 4  # all different, and d + H = 8 too: every parameter's role shows in its shape
UNUSED = (
    1e-9  # how little the output may move when a parameter is redrawn for it to count as unused
)


def _shapes(student, model) -> dict:
    """Shapes of the parameters that take part in the output: an unused extra layer is left out of the
    identification (it costs nothing); all of them when the model does not run on the probe."""
    shapes = {name: tuple(p.shape) for name, p in student.parameters(model).items()}
    try:
        moved = student.call(
            "@influence", model, [torch.randn(3, 2, D, generator=torch.Generator().manual_seed(5))]
        )
    except StudentError:
        return shapes
    used = {name: shape for name, shape in shapes.items() if moved.get(name, 1.0) > UNUSED}
    return used or shapes


def _layouts_or_raise(shapes, d=D, h=H, c=C):
    """The possible readings of the parameters; Wrong for a named layout mistake; None when unknown."""
    try:
        return K.find_layouts(shapes, d, h, c)
    except K.NoLayout as no:
        perm = K.constructor_permutation(shapes, d, h, c)
        if perm is not None:
            raise Wrong(
                "td3_constructor_order",
                shapes=K.shapes_text(shapes),
                dim=perm[0],
                latent=perm[1],
                n_classes=perm[2],
                d=d,
                H=h,
                C=c,
            ) from None
        if no.kind == "missing":
            raise Wrong(
                "td3_params_missing", roles=no.detail, shapes=K.shapes_text(shapes), d=d, H=h, C=c
            ) from None
        return None


def _behaviour_problem(student, model, shapes, generator) -> str | None:
    """Behavioural probes for a model whose parameters could not be identified."""
    student.set_parameters(model, K.tame_values(shapes, generator))
    x = torch.randn(4, 6, D, generator=generator)
    problem = K.probabilities_problem(K.run(student, model, [x], C).tensors[0])
    if problem is not None:
        return "td3_no_softmax"
    return K.memory_problem(student, model, D, C, generator) or K.activation_problem(
        student, model, D, C, generator
    )


@grade("Ex2-Q1", points=0.5, timeout=20)
def test_myrnn_other_sizes(student, seed):
    """(B, C) float32 outputs for T = 1, B = 1, d = 1 and other sizes."""
    g = torch.Generator().manual_seed(seed)
    for T, B, d, h, c in [
        (1, 1, 7, 16, 3),
        (1, 4, 2, 3, 5),
        (9, 1, 3, 8, 2),
        (4, 6, 1, 5, 4),
        (2, 3, 4, 2, 6),
    ]:
        model = student.build("myRNN", "many_to_one", dim=d, latent=h, output=c)
        out = K.run(student, model, [torch.randn(T, B, d, generator=g)], c).tensors[0]
        if out.dtype != torch.float32:
            raise Wrong(
                "dtype",
                function=f"myRNN({d}, {h}, {c})(x {(T, B, d)} float32)",
                expected="float32",
                got=str(out.dtype).replace("torch.", ""),
            )


@grade("Ex2-Q1", points=0.25, timeout=20)
def test_myrnn_runs_in_float64(student, seed):
    """A float64 model on float64 input gives float64 probabilities (state created with x's dtype)."""
    model = student.build("myRNN", "many_to_one", dim=D, latent=H, output=C)
    x = torch.randn(5, 3, D, generator=torch.Generator().manual_seed(seed), dtype=F64)
    K.run(
        student, model, [x.float()], C
    )  # a model that fails in float32 already is not a dtype problem
    model64, error = K.to_float64(student, model)
    if model64 is None:
        raise Wrong("td3_state_dtype", detail=error)
    try:
        out = K.run(student, model64, [x], C).tensors[0]
    except StudentError as err:
        raise Wrong("td3_state_dtype", detail=f"{err.type}: {err.message}"[:200]) from None
    if out.dtype != F64:
        raise Wrong("td3_state_dtype", detail=f"float64 -> {str(out.dtype).replace('torch.', '')}")


@grade("Ex2-Q1", points=1.25, timeout=30)
def test_myrnn_follows_the_equations(student, source, seed):
    """Weights pinned through the identified layout; float64 comparison with the course's equations.

    The class must compute the recurrence itself (no torch recurrent module reachable from it).
    """
    g = torch.Generator().manual_seed(seed)
    model = student.build("myRNN", "many_to_one", dim=D, latent=H, output=C)
    rule = hand_written(student, source, "myRNN", model, "td3_uses_nn_rnn")
    _follows_the_equations(student, model, g)
    rule.review_if_doubtful()


def _follows_the_equations(student, model, g):
    shapes = _shapes(student, model)
    layouts = _layouts_or_raise(shapes)
    if layouts is None:
        problem = _behaviour_problem(student, model, shapes, g)
        if problem is not None:
            fr, en = K.PROBLEMS[problem]
            raise Wrong(
                "td3_layout_unknown", shapes=K.shapes_text(shapes), problem_fr=fr, problem_en=en
            )
        return
    values = K.random_values(shapes, g, scale=0.5)
    xs = [
        1.5 * torch.randn(4, 6, D, generator=g, dtype=F64),
        torch.randn(7, 2, D, generator=g, dtype=F64),
        torch.randn(1, 3, D, generator=g, dtype=F64),
    ]
    model64, _ = K.to_float64(student, model)
    outs = None
    if model64 is not None:
        student.set_parameters(model64, values)
        try:
            outs, atol, rtol = K.run(student, model64, xs, C).tensors, 1e-9, 1e-7
            if any(
                out.dtype != F64 for out in outs
            ):  # float32 somewhere inside: float32 tolerances
                atol, rtol = 2e-5, 1e-4
        except StudentError:  # float64 trouble is test_myrnn_runs_in_float64's business
            outs = None
    if outs is None:
        student.call("@to_dtype", model, "float32")
        values = {name: v.float() for name, v in values.items()}
        student.set_parameters(model, values)
        outs, atol, rtol = K.run(student, model, [x.float() for x in xs], C).tensors, 2e-5, 1e-4
        values = {name: v.double() for name, v in values.items()}

    def matches(layout, variant="correct"):
        parts = layout.canonical(values)
        return all(
            K.close(out, K.equations(*parts, x, variant), atol, rtol) for out, x in zip(outs, xs)
        )

    if any(matches(layout) for layout in layouts):
        return
    for variant, key in K.VARIANTS.items():
        if any(matches(layout, variant) for layout in layouts):
            problem = K.probabilities_problem(outs[0])
            raise Wrong(key, **(problem[1] if problem else {"row": 0, "total": "?"}))
    best = min(
        max(K.worst(out, K.equations(*layout.canonical(values), x)) for out, x in zip(outs, xs))
        for layout in layouts
    )
    raise Wrong("td3_equations", worst=f"{best:.3g}", atol=f"{atol:g}")


@grade("Ex2-Q1", points=0.5, timeout=20)
def test_myrnn_has_both_biases(student, seed):
    """b_h and b_y are learned parameters (in whatever layout) of a model that runs; unidentifiable layouts
    are not judged here."""
    model = student.build("myRNN", "many_to_one", dim=D, latent=H, output=C)
    K.run(student, model, [torch.randn(3, 2, D, generator=torch.Generator().manual_seed(seed))], C)
    shapes = _shapes(student, model)
    try:
        layouts = K.find_layouts(shapes, D, H, C)
    except K.NoLayout:
        return  # test_myrnn_follows_the_equations names the layout problem
    missing = [
        name
        for name, present in (("b_h", layouts[0].has_bias_h), ("b_y", layouts[0].has_bias_y))
        if not present
    ]
    if missing:
        raise Wrong("td3_missing_bias", which=", ".join(missing))


@grade("Ex2-Q1", points=0.5, timeout=20)
def test_myrnn_reads_the_whole_sequence_in_order(student, seed):
    """The output depends on the last step, on the first one (state carried) and on the order."""
    g = torch.Generator().manual_seed(seed)
    model = student.build("myRNN", "many_to_one", dim=D, latent=8, output=C)
    student.set_parameters(model, K.tame_values(_shapes(student, model), g))
    problem = K.memory_problem(student, model, D, C, g)
    if problem is not None:
        raise Wrong(problem)


@grade("Ex2-Q1", points=0.5, timeout=20)
def test_myrnn_batch_rows_are_independent(student, seed):
    """Changing or reordering sequences of the batch changes nothing for the others."""
    g = torch.Generator().manual_seed(seed)
    model = student.build("myRNN", "many_to_one", dim=D, latent=8, output=C)
    student.set_parameters(model, K.tame_values(_shapes(student, model), g))
    T, B = 5, 6
    x = torch.randn(T, B, D, generator=g)
    other = x.clone()
    other[:, 0] = 2 * torch.randn(T, D, generator=g)
    perm = torch.randperm(B, generator=g)
    out, out_other, out_perm = K.run(student, model, [x, other, x[:, perm].contiguous()], C).tensors
    if K.changed(out[1:], out_other[1:], 1e-5) or K.changed(out[perm], out_perm, 1e-5):
        raise Wrong("td3_batch_leak", row=0)


@grade("Ex2-Q1", points=0.5, timeout=20)
def test_myrnn_gradient_reaches_every_parameter(student, seed):
    """Backpropagating through the output gives every parameter a gradient (the right one when identifiable)."""
    g = torch.Generator().manual_seed(seed)
    model = student.build("myRNN", "many_to_one", dim=D, latent=H, output=C)
    shapes = _shapes(student, model)
    try:
        layouts = K.find_layouts(shapes, D, H, C)
    except K.NoLayout:
        layouts = []
    T, B = 4, 8
    x = torch.randn(T, B, D, generator=g, dtype=F64)
    grad_output = torch.randn(B, C, generator=g, dtype=F64)
    values = (
        K.random_values(shapes, g, scale=0.5) if layouts else K.tame_values(shapes, g, dtype=F64)
    )
    mode = K.run(student, model, [x.float()], C).mode
    arg = x.transpose(0, 1).contiguous() if mode == "batch_first" else x
    upstream = grad_output
    if mode == "all_steps":  # gradient only through the last step's output
        probe = K.first_tensor(student.call("@td3_run_many", model, [arg.float()])[0])[0]
        upstream = torch.zeros(tuple(probe.shape), dtype=F64)
        upstream[-1] = grad_output

    def backward(dtype):
        target = student.call("@to_dtype", model, "float64" if dtype == F64 else "float32")
        student.set_parameters(target, {name: v.to(dtype) for name, v in values.items()})
        return student.call(
            "@forward_backward", target, [arg.to(dtype)], [], upstream.to(dtype), module=target
        )

    try:
        result, atol = backward(F64), 1e-8
    except StudentError:
        result, atol = backward(torch.float32), 1e-4
        values = {name: v.float().double() for name, v in values.items()}
    grads = result["param_grads"]
    if result["output"].dtype != F64:
        atol = 1e-4
    dead = [
        name
        for name, grad in grads.items()
        if name in shapes and (grad is None or not bool((grad != 0).any()))
    ]
    if dead:
        raise Wrong("td3_no_gradient", names=", ".join(dead))
    out = result["output"][-1] if mode == "all_steps" else result["output"]
    for layout in layouts:
        expected = K.equations(*layout.canonical(values), x)
        if not K.close(out, expected, max(atol, 1e-6), 1e-4):
            continue
        mismatch = _gradient_mismatch(layout, values, x, grad_output, grads, atol, detach=False)
        if mismatch is None:
            return
        if _gradient_mismatch(layout, values, x, grad_output, grads, atol, detach=True) is None:
            raise Wrong("td3_state_detached")
        name, difference = mismatch
        raise Wrong("td3_gradients_wrong", name=name, worst=f"{difference:.3g}")


def _gradient_mismatch(layout, values, x, grad_output, grads, atol, detach):
    leaves = {name: v.clone().requires_grad_(True) for name, v in values.items()}
    K.equations(*layout.canonical(leaves), x, detach=detach).backward(grad_output)
    for name, leaf in leaves.items():
        want = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
        got = grads[name].to(F64)
        if not K.close(got, want, atol, 1e-4):
            return name, K.worst(got, want)
    return None
