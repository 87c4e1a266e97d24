"""Hidden learning tests: the student's ``RNN`` (and ``OneHotLinear``) trained by the grader's own loop.

The data are generated here with seeds the students do not know (not the notebook's default 34),
sent to the worker, and the training loop there (the lab's ``procedures.py``: Adam, gradient clipping, cosine
decay, a time budget) returns predictions on held-out data; accuracy, MSE and cross-entropy are
computed here. Thresholds sit between trivial baselines and the reference, with the margins
measured by ``python -m autograder calibrate tp3-rnn`` (numbers in the assignment README).

The model is called through the adapter read from its ``forward`` (batch-first, tuple or list
returns, shifted states), and a ``decode`` that normalises its scores is undone (log of a softmax,
logit of a sigmoid) or, for forecasting where that loses information, replaced by a fresh linear
layer: those deviations cost their own Q1 tests, not these.
"""

import functools
import math

import torch

from autograder.channel import StudentError
from autograder.probes import refuse_acausal
from autograder.testing import Wrong, grade, lab_module

K = lab_module(__file__, "tp3_checks")
TRAINING_SEED = 613  # shuffling of the grader's loop


@functools.lru_cache(maxsize=1)
def classification():
    return K.classification_data(K.CLASSIFICATION_SEED)


@functools.lru_cache(maxsize=1)
def forecasting():
    return K.forecasting_data(K.FORECASTING_SEED)


@functools.lru_cache(maxsize=2)
def language(speech_dataset):
    return K.language_data(K.LANGUAGE_SEED, speech_dataset)


def trainable(student, *models):
    """The grader's loop trains the models' parameters: a model without any cannot learn."""
    for model in models:
        if not student.parameters(model):
            raise Wrong("tp3_no_parameters")


def recurrent_and_causal(student, model, spec, dim: int, seed: int) -> None:
    """Before training: the first step must reach the last state, and no state may read a later step
    (a model without either could still fit these tasks)."""
    g = torch.Generator().manual_seed(seed)

    def run(xs):
        return [
            K.ok(r, "RNN.forward")
            for r in student.call("@tp3_states", model, xs, [None] * len(xs), spec)
        ]

    refuse_acausal(run, torch.randn(6, 3, dim, generator=g), g, "RNN.forward")


def cell_learns(student, model, result, dim: int, latent: int) -> None:
    """The recurrent cell's own parameters must receive gradients: an output detached from them trains the
    decoder alone (a fixed random recurrence plus a trained read-out can pass a threshold)."""
    g = torch.Generator().manual_seed(5)
    try:
        used = student.call(
            "@used_by_step",
            model,
            torch.randn(3, dim, generator=g),
            torch.randn(3, latent, generator=g),
        )
    except StudentError:  # no one_step(x, h) to read: the other tests say why
        return
    moved = result.get("grad_norms") or {}
    if used and not any(moved.get(name, 0.0) > 0.0 for name in used):
        raise Wrong("tp3_learning_no_gradient", names=", ".join(sorted(used)[:4]))


def finite(values) -> bool:
    return all(math.isfinite(v) for v in values)


@grade("Q2", points=1.5, timeout=40)
def test_rnn_learns_to_classify_stations(student):
    """RNN(2, 32, 10) trained by the grader on metro windows (both channels): test accuracy above the threshold."""
    cfg, data = K.CLASSIFICATION, classification()
    diagnosis = K.diagnose(student, torch.Generator().manual_seed(1))
    model = K.new_rnn(student, cfg["dim"], cfg["latent"], cfg["stations"])
    trainable(student, model)
    recurrent_and_causal(student, model, diagnosis.spec(cfg["latent"], "classify"), cfg["dim"], 11)
    result = student.call(
        "@tp3_train_classifier",
        model,
        data.x,
        data.y,
        data.x_eval,
        diagnosis.spec(cfg["latent"], "classify"),
        K.learning_config(cfg, TRAINING_SEED, classes=cfg["stations"]),
        timeout=40,
    )
    scores = result["scores"]
    cell_learns(student, model, result, cfg["dim"], cfg["latent"])
    if not finite(result["losses"][-5:]) or not bool(torch.isfinite(scores).all()):
        raise Wrong("tp3_learning_diverged", task="classification")
    acc = K.accuracy(scores, data.y_eval)
    if acc < K.ACCURACY_THRESHOLD:
        raise Wrong(
            "tp3_learning_accuracy",
            accuracy=f"{acc:.3f}",
            threshold=f"{K.ACCURACY_THRESHOLD:.2f}",
            chance=f"{1 / cfg['stations']:.2f}",
            steps=result["steps"],
        )


@grade("Q3", points=0.75, timeout=40)
def test_rnn_forecasts_better_than_persistence(student):
    """RNN(2, 32, 2) trained one step ahead (MSE) by the grader: forecasting 1 to 3 steps ahead (predictions
    fed back), its test MSE beats persistence's clearly."""
    cfg, data = K.FORECASTING, forecasting()
    diagnosis = K.diagnose(student, torch.Generator().manual_seed(2))
    model = K.new_rnn(student, cfg["dim"], cfg["latent"], cfg["dim"])
    trainable(student, model)
    recurrent_and_causal(student, model, diagnosis.spec(cfg["latent"], "forecast"), cfg["dim"], 12)
    result = student.call(
        "@tp3_train_forecaster",
        model,
        data.x,
        data.x_eval,
        diagnosis.spec(cfg["latent"], "forecast"),
        K.learning_config(cfg, TRAINING_SEED, horizon=cfg["horizon"]),
        timeout=40,
    )
    rollout = result["rollout"]
    cell_learns(student, model, result, cfg["dim"], cfg["latent"])
    if not finite(result["losses"][-5:]) or not bool(torch.isfinite(rollout).all()):
        raise Wrong("tp3_learning_diverged", task="prédiction / forecasting")
    model_mse, persistence = K.horizon_mse(rollout, data.x_eval)
    ratio = float(model_mse.mean() / persistence.mean())
    if ratio > K.PERSISTENCE_RATIO:
        raise Wrong(
            "tp3_learning_persistence",
            ratio=f"{ratio:.3f}",
            threshold=f"{K.PERSISTENCE_RATIO:.2f}",
            horizon=cfg["horizon"],
            steps=result["steps"],
        )


@grade("Q4", points=1, timeout=40)
def test_character_model_learns(student, reference):
    """OneHotLinear(96, 16) + RNN(16, 64, 96) trained by the grader on sentences: held-out loss below the threshold."""
    cfg, data = K.LANGUAGE, language(reference["SpeechDataset"])
    vocab = reference["VOCAB_SIZE"]
    diagnosis = K.diagnose(student, torch.Generator().manual_seed(3))
    emb = student.new("OneHotLinear", vocab, cfg["emb"])
    model = K.new_rnn(student, cfg["emb"], cfg["latent"], vocab)
    trainable(student, model)
    recurrent_and_causal(student, model, diagnosis.spec(cfg["latent"], "language"), cfg["emb"], 13)
    result = student.call(
        "@tp3_train_language_model",
        emb,
        model,
        data.x,
        data.y,
        data.x_eval,
        diagnosis.spec(cfg["latent"], "language"),
        K.learning_config(cfg, TRAINING_SEED, vocab=vocab),
        timeout=40,
    )
    log_probs = result["log_probs"]
    cell_learns(student, model, result, cfg["emb"], cfg["latent"])
    if not finite(result["losses"][-5:]) or not bool(torch.isfinite(log_probs).all()):
        raise Wrong("tp3_learning_diverged", task="caractères / characters")
    loss = K.cross_entropy(log_probs, data.y_eval)
    if loss > K.LANGUAGE_THRESHOLD:
        raise Wrong(
            "tp3_learning_language",
            loss=f"{loss:.3f}",
            threshold=f"{K.LANGUAGE_THRESHOLD:.2f}",
            uniform=f"{math.log(vocab - 1):.2f}",
            steps=result["steps"],
        )
