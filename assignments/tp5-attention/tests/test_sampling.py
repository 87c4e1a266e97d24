"""Hidden tests of Q6, ``sample(logits, temperature)``, tested as a distribution.

The grader draws many samples in the worker (seeded per test; one batched call on the logits
repeated, or one call per draw for a function that only takes a vector) and compares the observed
frequencies with softmax(logits / T) in total variation, with a tolerance far above the sampling
noise of N draws and far below the distance to the usual look-alikes: the logits multiplied by T,
the temperature ignored, greedy at every temperature. Very small T must give the argmax, a very
large T the uniform distribution.
"""

import torch

from autograder.testing import Wrong, describe, grade

N = 20000
# Total-variation tolerance: the sampling noise of N draws over 5 classes is about 0.01 at most.
TOLERANCE = 0.03
LOGITS = torch.tensor([2.0, 0.5, -1.0, 1.0, 0.0])


def _frequencies(student, logits, temperature):
    got = student.call("@tp5_sample_counts", student.get("sample"), logits, temperature, N)
    if got["counts"] is None:
        raise Wrong(
            "tp5_sample_out_of_range",
            call=f"sample(logits {tuple(logits.shape)}, {temperature})",
            V=logits.shape[-1],
            got=got.get("bad"),
        )
    return got["counts"].double() / N


def _show(p):
    return "[" + ", ".join(f"{float(v):.3f}" for v in p) + "]"


def _check(student, temperature):
    observed = _frequencies(student, LOGITS, temperature)
    expected = torch.softmax(LOGITS.double() / temperature, dim=-1)
    distance = 0.5 * float((observed - expected).abs().sum())
    if distance <= TOLERANCE:
        return
    multiplied = torch.softmax(LOGITS.double() * temperature, dim=-1)
    ignored = torch.softmax(LOGITS.double(), dim=-1)
    params = {"temperature": temperature, "observed": _show(observed), "expected": _show(expected)}
    if temperature != 1 and 0.5 * float((observed - multiplied).abs().sum()) <= TOLERANCE:
        raise Wrong("tp5_sample_multiplied", **params)
    if temperature != 1 and 0.5 * float((observed - ignored).abs().sum()) <= TOLERANCE:
        raise Wrong("tp5_sample_ignores_temperature", **params)
    raise Wrong(
        "tp5_sample_distribution",
        n=N,
        distance=f"{distance:.3f}",
        tolerance=f"{TOLERANCE:g}",
        **params,
    )


@grade("Q6", points=0.5, timeout=30)
def test_sample_temperature_one_is_the_softmax(student):
    """T = 1: the frequencies of 20 000 draws follow softmax(logits)."""
    _check(student, 1.0)


@grade("Q6", points=0.5, timeout=30)
def test_sample_intermediate_temperatures(student):
    """T = 0.5 and T = 2: softmax(logits / T) (multiplying by T is named)."""
    _check(student, 0.5)
    _check(student, 2.0)


@grade("Q6", points=0.25, timeout=30)
def test_sample_extreme_temperatures(student):
    """T = 1e-4: always the argmax; T = 1000: close to uniform."""
    observed = _frequencies(student, LOGITS, 1e-4)
    if float(observed[int(LOGITS.argmax())]) != 1.0:
        raise Wrong(
            "tp5_sample_greedy",
            temperature=1e-4,
            expected=int(LOGITS.argmax()),
            observed=_show(observed),
        )
    _check(student, 1000.0)


@grade("Q6", points=0.25, timeout=30)
def test_sample_rows_are_drawn_independently(student):
    """One call on a batch (200, V) of identical rows gives 200 indices, not all equal (rows drawn
    independently). The notebook asks for (B, V) or (V,) logits only: no other batch shape is tried."""
    logits = torch.zeros(200, 5)
    got = student.call("sample", logits, 1.0)
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (200,):
        raise Wrong(
            "tp5_sample_shape",
            call="sample(logits (200, 5), 1.0)",
            got=describe(got),
            expected=(200,),
        )
    if int(torch.unique(got).numel()) == 1:
        raise Wrong("tp5_sample_rows_not_independent")
