"""Hidden tests of Ex3-Q2 ``jacobian_h_U`` and Ex3-Q3 ``bptt_grad_U`` (Elman network, tanh, no bias).

Expected values come from ``torch.autograd`` run here, in the grader, on an independent
implementation of the states, in float64, on several random instances (T = 1 included, H != d).
The student's functions always run in the worker under ``torch.no_grad()`` on tensors that do not
require grad, with autograd watched: an answer that differentiates automatically earns nothing.
A wrong result is compared with the realistic mistakes (transposed layout, missing 1 - h²,
missing recurrent term, W instead of Wᵀ, derivative at the wrong step...) to name it.
"""

import torch

from autograder.testing import Wrong, expect_shape, grade, lab_module

K = lab_module(__file__, "td3_checks")
F64 = torch.float64
SIZES = [(1, 3, 2), (1, 2, 5), (2, 4, 3), (5, 3, 4), (6, 5, 2)]  # (T, H, d)


def _tolerance(result: torch.Tensor, dtype) -> tuple[float, float]:
    """Tight in float64; a float32 result (a dtype slip, graded elsewhere) gets float32 tolerances."""
    return (1e-9, 1e-7) if result.dtype == dtype == F64 else (2e-5, 1e-4)


def _jacobian(student, U, W, x):
    T, (H, d) = x.shape[0], U.shape
    J = K.call_no_autograd(student, "jacobian_h_U", [U, W, x])
    if (
        isinstance(J, torch.Tensor)
        and J.dim() == 4
        and tuple(J.shape) != (T, H, H, d)
        and sorted(J.shape) == sorted((T, H, H, d))
    ):
        raise Wrong("td3_jacobian_layout", got=tuple(J.shape), expected=(T, H, H, d))
    return expect_shape(J, (T, H, H, d), "jacobian_h_U", "(T, H, H, d)")


def _bptt(student, U, W, x, grad_h):
    H, d = U.shape
    grad = K.call_no_autograd(student, "bptt_grad_U", [U, W, x, grad_h])
    if isinstance(grad, torch.Tensor) and tuple(grad.shape) == (d, H) and d != H:
        raise Wrong("td3_bptt_transposed", got=(d, H), expected=(H, d))
    return expect_shape(grad, (H, d), "bptt_grad_U", "(H, d)")


def _diagnose(function, results, instances, variant_fn, variants, expected_fn):
    """Raise the key of the first mistake that explains every result, else the generic values message."""
    for variant, key in variants.items():
        if all(
            K.close(r, variant_fn(*inst, variant), *_tolerance(r, F64))
            for r, inst in zip(results, instances)
        ):
            raise Wrong(key, function=function)
    for r, inst in zip(results, instances):
        want = expected_fn(*inst)
        atol, rtol = _tolerance(r, F64)
        if not K.close(r, want, atol, rtol):
            diff = (r.to(F64) - want).abs()
            index = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape))
            T, H = inst[2].shape[0], inst[0].shape[0]
            raise Wrong(
                "values",
                function=function,
                what="output",
                worst=f"{diff.max().item():.3g}",
                index=index,
                atol=f"{atol:g}",
                rtol=f"{rtol:g}",
                expected=f"{want[index].item():.6g}",
                got=f"{r[index].item():.6g}",
                legend=f"(T={T}, H={H}, d={inst[0].shape[1]})",
            )
    raise Wrong(
        "values",
        function=function,
        what="output",
        worst="?",
        index="?",
        atol="?",
        rtol="?",
        expected="?",
        got="?",
        legend="",
    )


@grade("Ex3-Q2", points=1.5, timeout=20)
def test_jacobian_matches_autograd(student, source, seed):
    rule = K.autograd_rule(source, "jacobian_h_U")
    g = torch.Generator().manual_seed(seed)
    instances = [K.random_instance(T, H, d, g)[:3] for T, H, d in SIZES]
    results = [_jacobian(student, *inst) for inst in instances]
    if all(
        K.close(r, K.autograd_jacobian(*inst), *_tolerance(r, F64))
        for r, inst in zip(results, instances)
    ):
        return rule.review_if_doubtful()
    _diagnose(
        "jacobian_h_U",
        results,
        instances,
        K.jacobian_variant,
        K.JACOBIAN_VARIANTS,
        K.autograd_jacobian,
    )


@grade("Ex3-Q2", points=1, timeout=20)
def test_jacobian_keeps_the_dtype(student, source, seed):
    """float64 in, float64 out; float32 in, float32 out (right values too), on tensors without requires_grad."""
    rule = K.autograd_rule(source, "jacobian_h_U")
    g = torch.Generator().manual_seed(seed)
    U, W, x, _ = K.random_instance(4, 3, 5, g)
    for dtype in (F64, torch.float32):
        J = _jacobian(student, U.to(dtype), W.to(dtype), x.to(dtype))
        if J.dtype != dtype:
            raise Wrong(
                "dtype",
                function="jacobian_h_U",
                expected=str(dtype).replace("torch.", ""),
                got=str(J.dtype).replace("torch.", ""),
            )
    rounded = tuple(t.float().double() for t in (U, W, x))
    if not K.close(J, K.autograd_jacobian(*rounded), 2e-5, 1e-4):
        _diagnose(
            "jacobian_h_U",
            [J],
            [rounded],
            K.jacobian_variant,
            K.JACOBIAN_VARIANTS,
            K.autograd_jacobian,
        )
    rule.review_if_doubtful()


@grade("Ex3-Q3", points=1, timeout=20)
def test_bptt_matches_autograd(student, source, seed):
    rule = K.autograd_rule(source, "bptt_grad_U")
    g = torch.Generator().manual_seed(seed)
    instances = [K.random_instance(T, H, d, g) for T, H, d in SIZES]
    results = [_bptt(student, *inst) for inst in instances]
    if all(
        K.close(r, K.autograd_bptt(*inst), *_tolerance(r, F64))
        for r, inst in zip(results, instances)
    ):
        return rule.review_if_doubtful()
    _diagnose("bptt_grad_U", results, instances, K.bptt_variant, K.BPTT_VARIANTS, K.autograd_bptt)


@grade("Ex3-Q3", points=0.5, timeout=20)
def test_bptt_keeps_the_dtype(student, source, seed):
    """float64 in, float64 out; float32 in, float32 out (right values too), on tensors without requires_grad."""
    rule = K.autograd_rule(source, "bptt_grad_U")
    g = torch.Generator().manual_seed(seed)
    inst = K.random_instance(5, 4, 3, g)
    for dtype in (F64, torch.float32):
        grad = _bptt(student, *(t.to(dtype) for t in inst))
        if grad.dtype != dtype:
            raise Wrong(
                "dtype",
                function="bptt_grad_U",
                expected=str(dtype).replace("torch.", ""),
                got=str(grad.dtype).replace("torch.", ""),
            )
    rounded = tuple(t.float().double() for t in inst)
    if not K.close(grad, K.autograd_bptt(*rounded), 2e-5, 1e-4):
        _diagnose(
            "bptt_grad_U", [grad], [rounded], K.bptt_variant, K.BPTT_VARIANTS, K.autograd_bptt
        )
    rule.review_if_doubtful()
