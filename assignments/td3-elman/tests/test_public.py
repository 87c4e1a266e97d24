"""Public tests of td3-elman: shipped to students (``check("Ex2-Q1")``), one or more per graded question.

They check shapes, that ``myRNN`` returns probabilities, reads the last state in order, uses a ReLU
and follows the input's dtype, and they compare ``jacobian_h_U`` and ``bptt_grad_U`` with autograd
on one small random instance computed here: the mistakes the questions warn about show before the
hand-in. The hidden tests check more sizes, exact equations and name the mistake. Self-contained on
purpose: only the engine's ``testing`` module is imported (in a student folder, ``autograder`` names
the shipped ``rnnkit``).
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, expect_close, expect_shape, grade

F64 = torch.float64


def _forward(student, model, x, n_classes):
    """The model's output for x (T, B, d), brought to (B, C) when a named deviation allows it."""
    out = student.method(model, "__call__", x)
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise Wrong("not_a_tensor", function="myRNN.forward", got=describe(out), legend="(B, C)")
    T, B = x.shape[:2]
    if tuple(out.shape) == (T, n_classes) and T != B:
        out = student.method(model, "__call__", x.transpose(0, 1).contiguous())
        if isinstance(out, (tuple, list)) and out:
            out = out[0]
    elif out.dim() == 3 and tuple(out.shape[1:]) == (B, n_classes):
        out = out[-1]
    return expect_shape(out, (B, n_classes), "myRNN.forward", "(B, C)")


@grade("Ex2-Q1", points=1, visibility="public")
def test_myrnn_output_shape_on_the_lab_sizes(student, seed):
    """B=5 sequences of T=13 steps of dimension d=7, 3 classes: one distribution per sequence, (5, 3)."""
    T, B, d, H, C = 13, 5, 7, 16, 3
    model = student.build("myRNN", "many_to_one", dim=d, latent=H, output=C)
    x = torch.randn(T, B, d, generator=torch.Generator().manual_seed(seed))
    out = student.method(model, "__call__", x)
    if isinstance(out, (tuple, list)):
        raise Wrong("td3_returns_tuple", got=describe(out))
    if not isinstance(out, torch.Tensor):
        raise Wrong("not_a_tensor", function="myRNN.forward", got=describe(out), legend="(B, C)")
    shape = tuple(out.shape)
    if shape == (B, C):
        student.adapted(
            model, "myRNN"
        )  # another constructor order or extra arguments: said, at no cost
        return
    if shape == (T, C):
        raise Wrong("td3_batch_first", shape=(T, B, d), T=T, B=B, got=shape)
    if out.dim() == 3 and shape[1:] == (B, C):
        raise Wrong("td3_all_steps", got=shape, expected=(B, C))
    if shape == (B, H):
        raise Wrong("td3_returns_state", got=shape, expected=(B, C))
    raise Wrong("shape", function="myRNN.forward", expected=(B, C), got=shape, legend="(B, C)")


@grade("Ex2-Q1", points=1, visibility="public")
def test_myrnn_returns_probabilities(student, seed):
    """Every row of the output is a distribution over the classes: non-negative, summing to 1."""
    T, B, d, H, C = 4, 6, 3, 5, 4
    model = student.build("myRNN", "many_to_one", dim=d, latent=H, output=C)
    x = 2 * torch.randn(T, B, d, generator=torch.Generator().manual_seed(seed))
    out = _forward(student, model, x, C).to(F64)
    if not torch.isfinite(out).all():
        raise Wrong(
            "not_finite",
            function="myRNN.forward",
            what="output",
            index=tuple((~torch.isfinite(out)).nonzero()[0].tolist()),
        )
    rows = out.sum(dim=1)
    if bool((out >= -1e-6).all()) and bool(((rows - 1).abs() <= 1e-4).all()):
        return
    bad = int((rows - 1).abs().argmax())
    if bool((out <= 1e-6).all()) and bool(((out.exp().sum(dim=1) - 1).abs() <= 1e-4).all()):
        raise Wrong("td3_log_softmax")
    if bool((out >= -1e-6).all()) and bool(((out.sum(dim=0) - 1).abs() <= 1e-4).all()):
        raise Wrong("td3_softmax_dim")
    if bool((out >= -1e-6).all()) and bool((out <= 1 + 1e-6).all()):
        raise Wrong("td3_sigmoid", row=bad, total=f"{float(rows[bad]):.4g}")
    raise Wrong("td3_no_softmax", row=bad, total=f"{float(rows[bad]):.4g}")


def _changed(a, b) -> bool:
    return bool(((a.double() - b.double()).abs() > 1e-6).any())


@grade("Ex2-Q1", points=0.5, visibility="public")
def test_myrnn_reads_the_last_state_in_order(student, seed):
    """The output moves with the last step x_T, with the first one (the state is carried) and with the order."""
    T, B, d, H, C = 4, 8, 3, 16, 3
    model = student.build("myRNN", "many_to_one", dim=d, latent=H, output=C)
    g = torch.Generator().manual_seed(seed)
    x = 2 * torch.randn(T, B, d, generator=g)
    last, first = x.clone(), x.clone()
    last[-1] = 2 * torch.randn(B, d, generator=g)
    first[0] = 2 * torch.randn(B, d, generator=g)
    out, out_last, out_first, out_reversed = (
        _forward(student, model, v, C) for v in (x, last, first, x.flip(0))
    )
    if not _changed(out, out_last):
        raise Wrong("td3_last_step_ignored")
    if not _changed(out, out_first):
        raise Wrong("td3_state_not_carried")
    if not _changed(out, out_reversed):
        raise Wrong("td3_order_ignored")


@grade("Ex2-Q1", points=0.25, visibility="public")
def test_myrnn_uses_relu(student, seed):
    """With the biases at zero a ReLU network is positively homogeneous: the scores for 2x are twice those for x."""
    T, B, d, H, C = (
        3,
        6,
        3,
        5,
        4,
    )  # d·H, H·H, C·H, (d+H)·H all differ from H and C: only biases have H or C numbers
    model = student.build("myRNN", "many_to_one", dim=d, latent=H, output=C)
    biases = {
        name: torch.zeros(shape)
        for name, shape in ((n, tuple(p.shape)) for n, p in student.parameters(model).items())
        if torch.Size(shape).numel() in (H, C) and sum(s > 1 for s in shape) <= 1
    }
    student.set_parameters(model, biases)
    x = 2 * torch.randn(T, B, d, generator=torch.Generator().manual_seed(seed))
    p1, p2 = (_forward(student, model, v, C).double() for v in (x, 2 * x))
    if not (bool((p1 > 0).all()) and bool((p2 > 0).all())):
        raise Wrong("td3_no_softmax", row=0, total=f"{float(p1[0].sum()):.4g}")
    # log p(2x) - 2 log p(x) does not depend on the class when the scores double
    gap = p2.log() - 2 * p1.log()
    if float((gap - gap.mean(dim=1, keepdim=True)).abs().max()) > 1e-3:
        raise Wrong("td3_not_relu")


@grade("Ex2-Q1", points=0.25, visibility="public")
def test_myrnn_follows_the_input_dtype(student, seed):
    """A float64 model on float64 input answers in float64: the initial state takes x's dtype."""
    T, B, d, H, C = 3, 2, 3, 4, 3
    model = student.build("myRNN", "many_to_one", dim=d, latent=H, output=C)
    x = torch.randn(T, B, d, generator=torch.Generator().manual_seed(seed), dtype=F64)
    _forward(
        student, model, x.float(), C
    )  # a model that fails in float32 already is not a dtype problem
    model64 = student.call("@to_dtype", model, "float64")
    try:
        out = _forward(student, model64, x, C)
    except StudentError as err:  # raised in float64 only: a float32 state against float64 weights
        raise Wrong("td3_state_dtype", detail=f"{err.type}: {err.message}"[:200]) from None
    if out.dtype != F64:
        raise Wrong("td3_state_dtype", detail=f"float64 -> {str(out.dtype).replace('torch.', '')}")


def _no_autograd(student, name, args):
    """Call ``name`` with automatic differentiation off and watched (it must not be used)."""
    reply = student.call("@td3_no_autograd", student.get(name), args)
    if reply["autograd"] or reply["requires_grad"]:
        raise Wrong(
            "td3_uses_autograd", function=name, used=", ".join(reply["autograd"]) or "requires_grad"
        )
    return reply["result"]


def _instance(T, H, d, seed):
    g = torch.Generator().manual_seed(seed)
    U = 0.6 * torch.randn(H, d, generator=g, dtype=F64)
    W = 0.6 * torch.randn(H, H, generator=g, dtype=F64)
    x = torch.randn(T, d, generator=g, dtype=F64)
    grad_h = torch.randn(T, H, generator=g, dtype=F64)
    return U, W, x, grad_h


@grade("Ex3-Q2", points=1, visibility="public")
def test_jacobian_shape(student, seed):
    """jacobian_h_U(U (H, d), W (H, H), x (T, d)) -> J (T, H, H, d), without autograd."""
    T, H, d = 3, 4, 2
    U, W, x, _ = _instance(T, H, d, seed)
    J = _no_autograd(student, "jacobian_h_U", [U, W, x])
    if (
        isinstance(J, torch.Tensor)
        and J.dim() == 4
        and tuple(J.shape) != (T, H, H, d)
        and sorted(J.shape) == sorted((T, H, H, d))
    ):
        raise Wrong("td3_jacobian_layout", got=tuple(J.shape), expected=(T, H, H, d))
    expect_shape(J, (T, H, H, d), "jacobian_h_U", "(T, H, H, d)")


@grade("Ex3-Q3", points=1, visibility="public")
def test_bptt_shape(student, seed):
    """bptt_grad_U(U (H, d), W (H, H), x (T, d), grad_h (T, H)) -> dL/dU (H, d), without autograd."""
    T, H, d = 3, 4, 2
    U, W, x, grad_h = _instance(T, H, d, seed)
    grad = _no_autograd(student, "bptt_grad_U", [U, W, x, grad_h])
    if isinstance(grad, torch.Tensor) and tuple(grad.shape) == (d, H):
        raise Wrong("td3_bptt_transposed", got=(d, H), expected=(H, d))
    expect_shape(grad, (H, d), "bptt_grad_U", "(H, d)")


def _autograd_states(U, x, W):
    h, states = x.new_zeros(U.shape[0]), []
    for x_t in x:
        h = torch.tanh(U @ x_t + W @ h)
        states.append(h)
    return torch.stack(states)


@grade("Ex3-Q2", points=0.5, visibility="public")
def test_jacobian_matches_autograd_on_one_instance(student, seed):
    """On one random float64 sequence (T=3, H=4, d=2), J equals the Jacobian autograd computes here."""
    U, W, x, _ = _instance(3, 4, 2, seed)
    J = _no_autograd(student, "jacobian_h_U", [U, W, x])
    expected = torch.autograd.functional.jacobian(lambda u: _autograd_states(u, x, W), U)
    expect_close(
        J,
        expected,
        "jacobian_h_U",
        legend="(T, H, H, d)",
        what="J[t, i, a, b] = ∂h_t[i]/∂U[a, b]",
        atol=1e-7,
        rtol=1e-6,
    )


@grade("Ex3-Q3", points=0.5, visibility="public")
def test_bptt_matches_autograd_on_one_instance(student, seed):
    """On one random float64 sequence (T=3, H=4, d=2), dL/dU equals autograd's for L = Σ_t <grad_h[t], h_t>."""
    U, W, x, grad_h = _instance(3, 4, 2, seed)
    grad = _no_autograd(student, "bptt_grad_U", [U, W, x, grad_h])
    U_ = U.clone().requires_grad_(True)
    (_autograd_states(U_, x, W) * grad_h).sum().backward()
    expect_close(grad, U_.grad, "bptt_grad_U", legend="(H, d)", what="dL/dU", atol=1e-7, rtol=1e-6)
