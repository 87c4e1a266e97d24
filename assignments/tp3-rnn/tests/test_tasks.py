"""Hidden tests of Q2 (``classify``, ``evaluate_classifier``, ``train_classifier``) and Q3 (``forecast``).

These functions drive a model through the lab's API; they are tested on stand-in models
(``@tp3_probe_rnn``: h_t = h_{t-1} R + x_t A, decode(h) = h B + c, weights chosen here), so a
mistake in the student's own RNN never costs these points. A function written for a model that
reads batch-first input or returns a tuple or a list (consistently with the student's RNN) is
retried with a stand-in that behaves the same way: such deviations cost Q1's format test only.
"""

import math

import torch
import torch.nn.functional as F

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, expect_close, expect_shape, grade, lab_module

K = lab_module(__file__, "tp3_checks")
F64 = torch.float64


def number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.reshape(()))
    return None


def each_style(student, weights, attempt):
    """Run ``attempt(probe, batch_first)`` with the plain stand-in, then with the mimicking ones."""
    errors = []
    for style in K.PROBE_STYLES:
        probe = K.make_probe(student, weights, style)
        try:
            attempt(probe, style[0])
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            errors.append(err)
    raise K.first_failure(errors)


# --- Q2 ---------------------------------------------------------------------------------------------------


def classify_problem(out, states, weights):
    _, _, Bm, c = weights
    scores = K.probe_decode(Bm, c, states[-1])
    variants = {
        "tp3_classify_first_state": K.probe_decode(Bm, c, states[0]),
        "tp3_classify_mean": K.probe_decode(Bm, c, states.mean(0)),
        "tp3_classify_softmax": torch.softmax(scores, dim=1),
        "tp3_classify_log_softmax": torch.log_softmax(scores, dim=1),
        "tp3_classify_all_steps": K.probe_decode(Bm, c, states[-2]) if len(states) > 1 else None,
    }
    for key, variant in variants.items():
        if variant is not None and K.close(out, variant, 1e-4):
            return key
    return None


@grade("Q2", points=0.75, timeout=20)
def test_classify_decodes_the_last_state(student, seed):
    """classify(model, x) = model.decode(h_L): the last state, from the zero state, raw scores."""
    g = torch.Generator().manual_seed(seed)
    weights = K.probe_weights(g, 3, 5, 4)
    x = torch.randn(7, 6, 3, generator=g)
    states = K.probe_states(weights[0], weights[1], x)
    expected = K.probe_decode(weights[2], weights[3], states[-1])

    def attempt(probe, batch_first):
        out = expect_shape(
            student.call("classify", probe, x.transpose(0, 1) if batch_first else x),
            (6, 4),
            "classify",
            "(B, C)",
        )
        if K.close(out, expected, 1e-4):
            return
        problem = classify_problem(out, states, weights)
        if problem:
            raise Wrong(problem)
        expect_close(out, expected, "classify", what="scores", legend="(B, C)", atol=1e-4)

    each_style(student, weights, attempt)


def classification_batches(g, weights, n=24, length=5):
    """Batch-first windows as a DataLoader yields them, labels right for about half of them."""
    x = torch.randn(n, length, 3, generator=g)
    scores = K.probe_decode(
        weights[2], weights[3], K.probe_states(weights[0], weights[1], x.transpose(0, 1))[-1]
    )
    y = scores.argmax(dim=1)
    y[n // 2 :] = torch.randint(0, scores.shape[1], (n - n // 2,), generator=g)
    return x, y, scores


@grade("Q2", points=0.25, timeout=20)
def test_evaluate_classifier_mean_loss_and_accuracy(student, seed):
    """evaluate_classifier(model, loader) = (mean cross-entropy, accuracy in [0, 1]) over the whole loader."""
    g = torch.Generator().manual_seed(seed)
    weights = K.probe_weights(g, 3, 5, 4)
    x, y, scores = classification_batches(g, weights)
    loss = float(F.cross_entropy(scores, y))
    acc = float((scores.argmax(1) == y).double().mean())
    n_batches = 3
    loader = student.call("@tp3_loader", x, y, len(x) // n_batches)

    def attempt(probe, batch_first):
        out = student.call("evaluate_classifier", probe, loader)
        if (
            not isinstance(out, (tuple, list))
            or len(out) < 2
            or number(out[0]) is None
            or number(out[1]) is None
        ):
            raise Wrong("tp3_evaluate_return", got=describe(out))
        got_loss, got_acc = number(out[0]), number(out[1])
        if math.isclose(got_loss, loss, rel_tol=1e-4, abs_tol=1e-6) and math.isclose(
            got_acc, acc, abs_tol=1e-6
        ):
            return
        if math.isclose(got_loss, acc, abs_tol=1e-6) and math.isclose(got_acc, loss, rel_tol=1e-4):
            raise Wrong("tp3_evaluate_order")
        if not math.isclose(got_acc, acc, abs_tol=1e-6):
            if math.isclose(got_acc, acc * len(x), abs_tol=1e-4):
                raise Wrong("tp3_evaluate_accuracy_count", got=f"{got_acc:g}")
            if math.isclose(got_acc, 100 * acc, abs_tol=1e-4):
                raise Wrong("tp3_evaluate_accuracy_percent", got=f"{got_acc:g}")
            raise Wrong("tp3_evaluate_accuracy", got=f"{got_acc:.4g}")
        if any(math.isclose(got_loss, loss * k, rel_tol=1e-4) for k in (len(x), n_batches)):
            raise Wrong("tp3_evaluate_loss_sum", got=f"{got_loss:.4g}")
        raise Wrong("tp3_evaluate_loss", got=f"{got_loss:.4g}")

    each_style(student, weights, attempt)


def classification_metrics(weights, x, y):
    """(mean cross-entropy, accuracy) of the stand-in with ``weights`` on batch-first ``x``: (N, L, D)."""
    A, R, Bm, c = weights
    scores = K.probe_decode(Bm, c, K.probe_states(A, R, x.transpose(0, 1))[-1])
    return float(F.cross_entropy(scores, y)), float((scores.argmax(1) == y).double().mean())


def same_metrics(got: tuple, expected: tuple) -> bool:
    return math.isclose(got[0], expected[0], rel_tol=1e-4, abs_tol=1e-6) and math.isclose(
        got[1], expected[1], abs_tol=1e-6
    )


@grade("Q2", points=0.5, timeout=30)
def test_train_classifier_history_and_updates(student, seed):
    """train_classifier(model, train, test, epochs=2, lr=...) updates the model and returns 4 lists of 2 numbers
    whose values are the model's: test metrics of the trained model, and with lr=0 (nothing moves) the mean
    loss and accuracy over the training batches."""
    g = torch.Generator().manual_seed(seed)
    weights = K.probe_weights(g, 3, 5, 4)
    x, y, _ = classification_batches(g, weights, n=32)
    train = student.call("@tp3_loader", x[:24], y[:24], 8)
    test = student.call("@tp3_loader", x[24:], y[24:], 8)
    keys = ("train_loss", "train_acc", "test_loss", "test_acc")

    def history_of(probe, lr):
        history = student.call("train_classifier", probe, train, test, epochs=2, lr=lr)
        if not isinstance(history, dict) or any(k not in history for k in keys):
            got = sorted(history) if isinstance(history, dict) else describe(history)
            raise Wrong("tp3_train_history", got=str(got)[:200], keys=", ".join(keys))
        for key in keys:
            values = history[key]
            if (
                not isinstance(values, (list, tuple))
                or len(values) != 2
                or any(number(v) is None for v in values)
            ):
                raise Wrong("tp3_train_history_lengths", key=key, got=describe(values))
        return {key: [number(v) for v in history[key]] for key in keys}

    def own_evaluation(probe):
        """What the student's own evaluate_classifier says of the model: a mistake there is Q2's other test's."""
        try:
            out = student.call("evaluate_classifier", probe, test)
        except StudentError:
            return None
        if (
            isinstance(out, (tuple, list))
            and len(out) >= 2
            and None not in (number(out[0]), number(out[1]))
        ):
            return number(out[0]), number(out[1])
        return None

    def attempt(probe, batch_first):
        before = student.parameters(probe)
        history = history_of(probe, 0.05)
        after = student.parameters(probe)
        if all(torch.equal(before[n], after[n]) for n in before):
            raise Wrong("tp3_train_no_update")
        final = [after[n] for n in ("A", "R", "B", "c")]
        expected = classification_metrics(final, x[24:], y[24:])
        got = (history["test_loss"][-1], history["test_acc"][-1])
        if not same_metrics(got, expected) and not same_metrics(
            got, own_evaluation(probe) or (math.nan,) * 2
        ):
            raise Wrong(
                "tp3_train_test_metrics",
                got=f"{got[0]:.4g}, {got[1]:.4g}",
                expected=f"{expected[0]:.4g}, {expected[1]:.4g}",
            )
        # lr=0 leaves the weights where they are, so each epoch's training figures are those of the start.
        student.set_parameters(probe, before)
        history = history_of(probe, 0.0)
        if any(not torch.equal(before[n], value) for n, value in student.parameters(probe).items()):
            return  # the loop does not follow its lr argument: its training figures cannot be recomputed
        expected = classification_metrics(weights, x[:24], y[:24])
        for epoch in range(2):
            got = (history["train_loss"][epoch], history["train_acc"][epoch])
            if not same_metrics(got, expected):
                raise Wrong(
                    "tp3_train_train_metrics",
                    got=f"{got[0]:.4g}, {got[1]:.4g}",
                    expected=f"{expected[0]:.4g}, {expected[1]:.4g}",
                )

    each_style(student, weights, attempt)


# --- Q3 ---------------------------------------------------------------------------------------------------


def rollout(weights, x, horizon, variant="correct"):
    A, R, Bm, c = (w.to(F64) for w in weights)
    states = K.probe_states(A, R, x)
    h = states[-1]
    prediction = K.probe_decode(Bm, c, h)
    out = [prediction]
    for _ in range(horizon - 1):
        if variant == "last_input":
            feed = x[-1].to(F64)
        elif variant == "zeros":
            feed = torch.zeros_like(prediction)
        else:
            feed = prediction
        h = h @ R + feed @ A
        if variant != "repeat":
            prediction = K.probe_decode(Bm, c, h)
        out.append(prediction)
    if variant == "extra_step":  # the last input read twice before the first prediction
        h = states[-1] @ R + x[-1].to(F64) @ A
        return rollout_from(h, A, R, Bm, c, horizon)
    return torch.stack(out)


def rollout_from(h, A, R, Bm, c, horizon):
    out = []
    prediction = K.probe_decode(Bm, c, h)
    out.append(prediction)
    for _ in range(horizon - 1):
        h = h @ R + prediction @ A
        prediction = K.probe_decode(Bm, c, h)
        out.append(prediction)
    return torch.stack(out)


@grade("Q3", points=0.5, timeout=20)
def test_forecast_feeds_predictions_back(student, seed):
    """forecast(model, x, k): decode(h_L), then each prediction is the next input of one_step; (k, N, D)."""
    g = torch.Generator().manual_seed(seed)
    weights = K.probe_weights(g, 2, 5, 2)
    x, horizon = torch.randn(5, 6, 2, generator=g), 3
    expected = rollout(weights, x, horizon)

    def attempt(probe, batch_first):
        out = student.call("forecast", probe, x.transpose(0, 1) if batch_first else x, horizon)
        if batch_first and isinstance(out, torch.Tensor) and tuple(out.shape) == (6, horizon, 2):
            out = out.transpose(0, 1)
        out = expect_shape(out, (horizon, 6, 2), "forecast", "(horizon, N, D)")
        if K.close(out, expected, 1e-4):
            return
        for variant, key in (
            ("last_input", "tp3_forecast_not_fed_back"),
            ("zeros", "tp3_forecast_not_fed_back"),
            ("repeat", "tp3_forecast_repeats"),
            ("extra_step", "tp3_forecast_extra_step"),
        ):
            if K.close(out, rollout(weights, x, horizon, variant), 1e-4):
                raise Wrong(key)
        expect_close(
            out,
            expected,
            "forecast",
            what="prédictions / predictions",
            legend="(horizon, N, D)",
            atol=1e-4,
        )

    each_style(student, weights, attempt)
