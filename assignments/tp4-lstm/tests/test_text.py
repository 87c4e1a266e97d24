"""Hidden tests of Q1 (``pad_collate_fn``) and Q2 (``maskedCrossEntropy``).

Q1: random batches compared exactly with the expected column layout (sample, EOS, PAD...), the
batch of one and the empty sentence, and the inputs left unchanged; each usual slip (EOS after
the padding, wrong padding code, batch-first, no room for EOS, left padding) is named. The dtype
is the public test's business: here values are compared as integers.

Q2: the value on random logits and targets with padding, for two padding codes (``padcar`` must
be honoured, not hard-coded), compared with the mean over non-padding positions; the usual slips
(sum, division by every position, mask taken from the output, padcar ignored, no reduction,
classes left on the last dimension) are recognised by computing them too. Padded positions must
get no gradient. No Python loop: the code of ``maskedCrossEntropy`` is read (no ``for``/``while``
/comprehension), and it must handle 20 000 time steps, or 20 000 sequences, in a fraction of
a second.

Partial credit: ``PARTIAL_CREDIT`` says which recognised variants of the loss keep which share of
the value test's points (default: a masked sum instead of the mean keeps half; 0 for the others).
"""

import ast
import time

import pytest
import torch
import torch.nn.functional as F

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, grade, lab_module

K = lab_module(__file__, "tp4_checks")
PAD, EOS = K.PAD, K.EOS

# Share of the points of test_mce_value kept by a recognised variant (a catalog key); others: 0.
PARTIAL_CREDIT = {"tp4_mce_sum_not_mean": 0.5}
MCE_VALUE_POINTS = 1.5
# A loop over 20 000 steps costs at least 0.2 s even with one tiny operation per step; a
# vectorised loss takes about 5 ms on these inputs (min of 2 calls).
LOOP_SECONDS = 0.15
GRADER_MARGIN = 0.1  # the grader's clock also counts the channel and a busy machine


# --- Q1 ---------------------------------------------------------------------------------------------------


def _expected_batch(samples):
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), PAD, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
        batch[len(s), b] = EOS
    return batch


def _with_lengths(out, batch: int) -> bool:
    """``(padded, lengths)``: a 2-D batch and one length per sample (a 1-D tensor or a list of ints)."""
    if not (
        isinstance(out, (tuple, list))
        and len(out) == 2
        and isinstance(out[0], torch.Tensor)
        and out[0].dim() == 2
    ):
        return False
    lengths = out[1]
    if isinstance(lengths, torch.Tensor):
        return lengths.dim() == 1 and lengths.numel() == batch and not lengths.is_floating_point()
    return (
        isinstance(lengths, (list, tuple))
        and len(lengths) == batch
        and all(isinstance(n, int) for n in lengths)
    )


def _input_target(out) -> bool:
    """``(batch[:-1], batch[1:])``: two (L, B) tensors shifted by one step."""
    return (
        isinstance(out, (tuple, list))
        and len(out) == 2
        and all(isinstance(t, torch.Tensor) for t in out)
        and out[0].dim() == 2
        and out[0].shape == out[1].shape
        and torch.equal(out[0][1:], out[1][:-1])
    )


def _pad_problem(out, samples):
    """Wrong naming what differs between ``out`` and the expected batch, or None if equal.

    ``(batch, lengths)`` and ``(batch[:-1], batch[1:])``: the batch is graded here, the tuple costs the
    public test only (README).
    """
    if _with_lengths(out, len(samples)):
        out = out[0]
    elif _input_target(out):
        out = torch.cat([out[0][:1], out[1]])  # (batch[:-1], batch[1:]): the batch, rebuilt
    if isinstance(out, (tuple, list)):
        raise Wrong("tp4_pad_returns_tuple", got=describe(out))
    if not isinstance(out, torch.Tensor):
        raise Wrong("not_a_tensor", function="pad_collate_fn", got=describe(out), legend="(L, B)")
    want = _expected_batch(samples)
    L, B = want.shape
    lengths = [len(s) for s in samples]
    if tuple(out.shape) == (B, L) and B != L:
        raise Wrong("tp4_pad_batch_first", expected=(L, B), got=tuple(out.shape))
    if tuple(out.shape) == (L - 1, B):
        if not bool((out == EOS).any()):
            raise Wrong("tp4_pad_no_eos")
        raise Wrong("tp4_pad_no_room_for_eos", expected=(L, B), got=tuple(out.shape))
    if tuple(out.shape) != (L, B):
        raise Wrong(
            "shape",
            function="pad_collate_fn",
            expected=(L, B),
            got=tuple(out.shape),
            legend="(longest + 1, B)",
        )
    if out.is_floating_point() and not bool((out == out.round()).all()):
        raise Wrong("tp4_pad_values", column=0, row=0)
    got = out.long()
    if torch.equal(got, want):
        return
    if not bool((got == EOS).any()):
        raise Wrong("tp4_pad_no_eos")
    bottom = torch.full((L, B), PAD, dtype=torch.long)
    for b, s in enumerate(samples):
        bottom[: len(s), b] = s
        bottom[L - 1, b] = EOS
    if torch.equal(got, bottom):
        raise Wrong("tp4_pad_eos_after_padding")
    swapped = want.clone()
    swapped[want == PAD], swapped[want == EOS] = EOS, PAD
    if torch.equal(got, swapped):
        raise Wrong("tp4_pad_codes_swapped")
    left = torch.full((L, B), PAD, dtype=torch.long)
    for b, s in enumerate(samples):
        left[L - len(s) - 1 : L - 1, b] = s
        left[L - 1, b] = EOS
    if torch.equal(got, left):
        raise Wrong("tp4_pad_left_padding")
    content_ok = all(torch.equal(got[: n + 1, b], want[: n + 1, b]) for b, n in enumerate(lengths))
    if content_ok:
        tail = torch.cat([got[n + 1 :, b] for b, n in enumerate(lengths)])
        raise Wrong("tp4_pad_wrong_pad_code", got=sorted(set(tail.tolist()))[:5], pad=PAD)
    diff = (got != want).nonzero()[0].tolist()
    raise Wrong("tp4_pad_values", column=diff[1], row=diff[0])


def _random_samples(g, lengths):
    return [torch.randint(2, K.VOCAB, (n,), generator=g) for n in lengths]


@grade("Q1", points=0.75, timeout=10)
def test_pad_collate_random_batch(student, seed):
    """Random batches: each column is the sample, then EOS, then PAD down to longest + 1."""
    g = torch.Generator().manual_seed(seed)
    for lengths in ([5, 11, 3, 8, 11], [1, 2, 17]):
        samples = _random_samples(g, lengths)
        out = student.call("@tp4_collate", student.get("pad_collate_fn"), samples)["result"]
        _pad_problem(out, samples)


@grade("Q1", points=0.5, timeout=10)
def test_pad_collate_batch_of_one_and_empty_sentence(student, seed):
    """A batch of one sentence (L+1, 1), and an empty sentence whose column starts with EOS."""
    g = torch.Generator().manual_seed(seed)
    for samples in (_random_samples(g, [6]), _random_samples(g, [4, 0, 2])):
        out = student.call("@tp4_collate", student.get("pad_collate_fn"), samples)["result"]
        if (
            len(samples) == 1
            and isinstance(out, torch.Tensor)
            and tuple(out.shape) == (len(samples[0]) + 1,)
        ):
            raise Wrong("tp4_pad_squeezed", got=tuple(out.shape), expected=(len(samples[0]) + 1, 1))
        _pad_problem(out, samples)


@grade("Q1", points=0.25, timeout=10)
def test_pad_collate_leaves_inputs_unchanged(student, seed):
    """The sample tensors (the dataset's cached codes) are not modified by batching."""
    g = torch.Generator().manual_seed(seed)
    samples = _random_samples(g, [4, 7, 2])
    after = student.call("@tp4_collate", student.get("pad_collate_fn"), samples)["after"]
    for b, (before, now) in enumerate(zip(samples, after)):
        if not torch.equal(before, now.long() if now.shape == before.shape else now):
            raise Wrong(
                "tp4_pad_mutates_input", index=b, before=len(before), after=tuple(now.shape)
            )


# --- Q2 ---------------------------------------------------------------------------------------------------


def _loss_inputs(seed, L=7, B=5, V=11, padcar=0, pad_share=0.35):
    """The same draw as the worker's ``random_loss_inputs`` (shared seed): logits, targets."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(L, B, V, generator=g)
    target = torch.randint(0, V, (L, B), generator=g)
    pad = torch.rand(L, B, generator=g) < pad_share
    target[pad] = padcar
    return logits, target


def _variants(logits, target, padcar):
    """The expected loss (key None) and the value of each usual slip, in float64: [(key, value)]."""
    x, t = logits.to(torch.float64), target
    V = x.shape[-1]
    ce = F.cross_entropy(x.reshape(-1, V), t.reshape(-1), reduction="none").reshape(t.shape)
    mask = (t != padcar).to(x.dtype)
    out_mask = (x.argmax(-1) != padcar).to(x.dtype)
    pad0 = (t != PAD).to(x.dtype)
    soft = F.cross_entropy(
        torch.softmax(x, -1).reshape(-1, V), t.reshape(-1), reduction="none"
    ).reshape(t.shape)
    per_seq = (ce * mask).sum(0) / mask.sum(0).clamp_min(1)
    return [
        (None, (ce * mask).sum() / mask.sum()),
        ("tp4_mce_sum_not_mean", (ce * mask).sum()),
        ("tp4_mce_all_positions", (ce * mask).sum() / mask.numel()),
        ("tp4_mce_no_mask", ce.mean()),
        ("tp4_mce_mask_from_output", (ce * out_mask).sum() / out_mask.sum().clamp_min(1)),
        ("tp4_mce_mask_from_output", (ce * out_mask).sum()),
        ("tp4_mce_padcar_ignored", (ce * pad0).sum() / pad0.sum().clamp_min(1)),
        ("tp4_mce_padcar_ignored", (ce * pad0).sum()),
        ("tp4_mce_per_sequence_mean", per_seq[mask.sum(0) > 0].mean()),
        ("tp4_mce_softmax_first", (soft * mask).sum() / mask.sum()),
    ]


def _call_loss(student, logits, target, padcar):
    try:
        value = student.call("maskedCrossEntropy", logits, target, padcar)
    except StudentError as err:
        text = f"{err.type}: {err.message}"
        if err.kind == "raised" and any(
            s in text
            for s in (
                "Expected target size",
                "Expected input batch_size",
                "only batches of spatial targets",
                "target size",
            )
        ):
            raise Wrong("tp4_mce_classes_last_dim", error=text[:200]) from None
        raise
    if hasattr(value, "type_name") and "Loss" in value.type_name:
        raise Wrong("tp4_mce_loss_module", got=value.type_name)
    if not isinstance(value, torch.Tensor):
        raise Wrong(
            "not_a_tensor", function="maskedCrossEntropy", got=describe(value), legend="(scalar)"
        )
    if value.numel() != 1:
        raise Wrong("tp4_mce_no_reduction", got=tuple(value.shape))
    return value.reshape(()).to(torch.float64)


def _which_variant(student, seed):
    """None when the loss is right on every case; otherwise the catalog key of what it computes.

    The cases differ in padcar (0 and 3), shapes and padding, so that each slip shows in one.
    """
    for k, (padcar, shape) in enumerate([(0, (7, 5, 11)), (3, (9, 4, 13)), (0, (4, 8, 6))]):
        logits, target = _loss_inputs(seed + k, *shape, padcar=padcar)
        got = _call_loss(student, logits, target, padcar)
        if not torch.isfinite(got):
            raise Wrong("not_finite", function="maskedCrossEntropy", what="loss", index=())
        keys = [
            key
            for key, value in _variants(logits, target, padcar)
            if abs(float(got) - float(value)) <= 1e-5 + 1e-4 * abs(float(value))
        ]
        if None not in keys:
            return keys[0] if keys else "tp4_mce_value"
    return None


def _credit_levels():
    levels = sorted({c for c in PARTIAL_CREDIT.values() if 0 < c < 1} | {1.0})
    previous, params = 0.0, []
    for level in levels:
        points = round(MCE_VALUE_POINTS * (level - previous), 6)
        params.append(
            pytest.param(level, marks=grade("Q2", points=points, timeout=10), id=f"credit{level:g}")
        )
        previous = level
    return params


@pytest.mark.parametrize("level", _credit_levels())
def test_mce_value(student, seed, level):
    """The mean cross-entropy over non-padding positions, for padcar 0 and 3 (PARTIAL_CREDIT: layered)."""
    key = _which_variant(student, seed)
    if key is None or PARTIAL_CREDIT.get(key, 0.0) >= level:
        return
    raise Wrong(key)


@grade("Q2", points=0.5, timeout=10)
def test_mce_padding_gets_no_gradient(student, seed):
    """The gradient with respect to the logits is zero at padded positions, finite and non-zero elsewhere."""
    logits, target = _loss_inputs(seed, 6, 4, 9, padcar=2)
    result = student.call(
        "@tp4_forward_backward",
        student.get("maskedCrossEntropy"),
        [logits, target, 2],
        [0],
        torch.tensor(1.0),
    )
    if result["output"].numel() != 1:
        raise Wrong("tp4_mce_no_reduction", got=tuple(result["output"].shape))
    grad = result["grads"]["0"]
    if grad is None:
        raise Wrong("tp4_mce_no_gradient")
    pad = target == 2
    if not torch.isfinite(grad).all():
        raise Wrong(
            "not_finite",
            function="maskedCrossEntropy",
            what="gradient",
            index=tuple((~torch.isfinite(grad)).nonzero()[0].tolist()),
        )
    leak = grad[pad].abs().amax(dim=-1) if pad.any() else torch.zeros(1)
    if bool((leak > 1e-7).any()):
        raise Wrong(
            "tp4_mce_gradient_on_padding", positions=int((leak > 1e-7).sum()), total=int(pad.sum())
        )
    if not bool((grad[~pad].abs().amax(dim=-1) > 0).all()):
        raise Wrong("tp4_mce_gradient_missing")


class _Loops(ast.NodeVisitor):
    def __init__(self):
        self.found = []

    def generic_visit(self, node):
        if isinstance(
            node,
            (
                ast.For,
                ast.AsyncFor,
                ast.While,
                ast.ListComp,
                ast.SetComp,
                ast.GeneratorExp,
                ast.DictComp,
            ),
        ):
            self.found.append((type(node).__name__, getattr(node, "lineno", 0)))
        super().generic_visit(node)


@grade("Q2", points=0.5, timeout=20)
def test_mce_no_python_loop(student, source, seed):
    """No loop in the code of maskedCrossEntropy, and 20 000 steps (or sequences) in a fraction of a second."""
    tree = source.tree("maskedCrossEntropy")
    if tree is not None:
        visitor = _Loops()
        visitor.visit(tree)
        if visitor.found:
            kind, line = visitor.found[0]
            raise Wrong("tp4_mce_python_loop", construct=kind, line=line)
    fn = student.get("maskedCrossEntropy")

    def timed(L, B):
        """The worker's own timing, and the grader's (best round trip, less a tiny call's): code that
        forges the worker's clock cannot shorten the grader's."""
        trips = []
        for _ in range(2):
            start = time.perf_counter()
            result = student.call("@tp4_timed_loss", fn, L, B, 5, 0, 0.3, seed, 1, timeout=20)
            trips.append(time.perf_counter() - start)
        start = time.perf_counter()
        student.call("@tp4_timed_loss", fn, 2, 2, 5, 0, 0.3, seed, 1, timeout=20)
        overhead = time.perf_counter() - start
        return result, result["seconds"], min(trips) - overhead

    for L, B in ((20000, 2), (2, 20000)):
        result, worker, grader = timed(L, B)
        if worker > LOOP_SECONDS or grader > LOOP_SECONDS + GRADER_MARGIN:
            seconds = max(worker, grader)
            raise Wrong(
                "tp4_mce_slow", L=L, B=B, seconds=f"{seconds:.2f}", limit=f"{LOOP_SECONDS:g}"
            )
        value = result["result"]
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise Wrong("tp4_mce_no_reduction", got=describe(value))
