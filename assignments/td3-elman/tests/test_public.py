"""Public tests of td3-elman: shipped to students (``check("Ex2-Q1")``), one or more per graded question.

They check shapes and that ``myRNN`` returns probabilities; the values of the equations, the
Jacobian and BPTT are checked by the hidden tests. Self-contained on purpose: only the engine's
``testing`` module is imported (in a student folder, ``autograder`` names the shipped ``rnnkit``).
"""
import torch

from autograder.testing import Wrong, describe, expect_shape, grade

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
        student.adapted(model, "myRNN")  # another constructor order or extra arguments: said, at no cost
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
        raise Wrong("not_finite", function="myRNN.forward", what="output",
                    index=tuple((~torch.isfinite(out)).nonzero()[0].tolist()))
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


def _no_autograd(student, name, args):
    """Call ``name`` with automatic differentiation off and watched (it must not be used)."""
    reply = student.call("@td3_no_autograd", student.get(name), args)
    if reply["autograd"] or reply["requires_grad"]:
        raise Wrong("td3_uses_autograd", function=name, used=", ".join(reply["autograd"]) or "requires_grad")
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
    if isinstance(J, torch.Tensor) and J.dim() == 4 and tuple(J.shape) != (T, H, H, d) \
            and sorted(J.shape) == sorted((T, H, H, d)):
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
