"""Calibrate the tp3-rnn learning tests: the reference against trivial baselines, on several seeds.

``python -m autograder calibrate tp3-rnn`` runs, in this process and on one thread, exactly the
grader's training loops (``assignments/tp3-rnn/procedures.py``) with the settings and data builders
of the hidden tests (``assignments/tp3-rnn/tests/tp3_checks.py``), on the reference's ``RNN`` and
``OneHotLinear``, for several data and initialisation seeds (not the hidden tests' own seeds).
It prints, per task, the reference's metric (min / median / max), the trivial baselines and the
threshold with its margins. ``--mistakes`` also trains RNNs with the lab's usual mistakes
(informational: the learning tests are not meant to grade Q1's equations twice).

Reading the output: a threshold is sound when it sits clearly between the best trivial baseline
and the reference's worst seed.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from autograder.assignments import lab_procedures
from autograder.testing import lab_module

loops = lab_procedures("tp3-rnn")  # the worker's procedures, as the grader loads them

SEEDS = (1, 2, 3, 4, 5, 6, 7, 8)


def checks():
    return lab_module(__file__, "tp3_checks")


def reference_namespace() -> dict:
    from autograder.reference import reference_namespace as build

    sys.modules.pop("utils", None)
    namespace = build("tp3-rnn", Path(tempfile.mkdtemp(prefix="rnnkit-calibrate-")))
    sys.modules.pop("utils", None)
    return namespace


def variants(rnn_class) -> dict:
    """The reference RNN, a memoryless one (the trivial recurrent baseline) and, for --mistakes, the usual bugs."""

    class Memoryless(rnn_class):  # W_h h dropped: each state sees one input only
        def one_step(self, x, h):
            return torch.tanh(self.input2hidden(x))

    class Diagonal(rnn_class):  # an elementwise recurrent weight vector instead of a matrix
        def __init__(self, dim, latent, output):
            super().__init__(dim, latent, output)
            self.w_h = torch.nn.Parameter(torch.rand(latent) * 0.5)

        def one_step(self, x, h):
            return torch.tanh(self.input2hidden(x) + h * self.w_h)

    class TanhAfterLoop(rnn_class):
        def one_step(self, x, h):
            return self.input2hidden(x) + self.hidden2hidden(h)

        def forward(self, x, h=None):
            return torch.tanh(super().forward(x, h))

    class Relu(rnn_class):
        def one_step(self, x, h):
            return torch.relu(self.input2hidden(x) + self.hidden2hidden(h))

    class NotUpdated(rnn_class):
        def forward(self, x, h=None):
            h = self.init_state(x.shape[1]) if h is None else h
            return torch.stack([self.one_step(x_t, h) for x_t in x])

    class Detached(rnn_class):
        def forward(self, x, h=None):
            h = self.init_state(x.shape[1]) if h is None else h
            states = []
            for x_t in x:
                h = self.one_step(x_t, h.detach())
                states.append(h)
            return torch.stack(states)

    class Softmax(rnn_class):
        def decode(self, h):
            return torch.softmax(super().decode(h), dim=-1)

    class Sigmoid(rnn_class):
        def decode(self, h):
            return torch.sigmoid(super().decode(h))

    return {
        "reference": (rnn_class, "raw"),
        "memoryless": (Memoryless, "raw"),
        "diagonal": (Diagonal, "raw"),
        "tanh_after_loop": (TanhAfterLoop, "raw"),
        "relu": (Relu, "raw"),
        "not_updated": (NotUpdated, "raw"),
        "detached": (Detached, "raw"),
        "decode_softmax": (Softmax, "softmax"),
        "decode_sigmoid": (Sigmoid, "sigmoid"),
    }


def spec(K, latent: int, decode: str, task: str) -> dict:
    reading = K.Reading(None, None, False, True, "tensor", False, "ok", None)
    return K.Diagnosis(reading, decode).spec(latent, task)


def classification(K, model_class, decode, seed) -> float:
    cfg = K.CLASSIFICATION
    data = K.classification_data(10_000 + seed)
    torch.manual_seed(seed)
    model = model_class(cfg["dim"], cfg["latent"], cfg["stations"])
    out = loops.train_classifier(
        model,
        data.x,
        data.y,
        data.x_eval,
        spec(K, cfg["latent"], decode, "classify"),
        K.learning_config(cfg, seed, classes=cfg["stations"]),
    )
    return K.accuracy(out["scores"], data.y_eval)


def forecasting(K, model_class, decode, seed) -> float:
    cfg = K.FORECASTING
    data = K.forecasting_data(20_000 + seed)
    torch.manual_seed(seed)
    model = model_class(cfg["dim"], cfg["latent"], cfg["dim"])
    out = loops.train_forecaster(
        model,
        data.x,
        data.x_eval,
        spec(K, cfg["latent"], decode, "forecast"),
        K.learning_config(cfg, seed, horizon=cfg["horizon"]),
    )
    model_mse, persistence = K.horizon_mse(out["rollout"], data.x_eval)
    return float(model_mse.mean() / persistence.mean())


def language(K, ns, model_class, decode, seed) -> tuple[float, float]:
    cfg = K.LANGUAGE
    data = K.language_data(30_000 + seed, ns["SpeechDataset"])
    torch.manual_seed(seed)
    emb = ns["OneHotLinear"](ns["VOCAB_SIZE"], cfg["emb"])
    model = model_class(cfg["emb"], cfg["latent"], ns["VOCAB_SIZE"])
    out = loops.train_language_model(
        emb,
        model,
        data.x,
        data.y,
        data.x_eval,
        spec(K, cfg["latent"], decode, "language"),
        K.learning_config(cfg, seed, vocab=ns["VOCAB_SIZE"]),
    )
    return K.cross_entropy(out["log_probs"], data.y_eval), data.unigram


def summary(values: list[float]) -> str:
    return f"min {min(values):.3f}  median {statistics.median(values):.3f}  max {max(values):.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder calibrate tp3-rnn")
    parser.add_argument(
        "--seeds", type=int, default=len(SEEDS), help="number of seeds (default %(default)s)"
    )
    parser.add_argument(
        "--mistakes", action="store_true", help="also train RNNs with the lab's usual mistakes"
    )
    parser.add_argument(
        "--task", choices=("all", "classification", "forecasting", "language"), default="all"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    K, ns = checks(), reference_namespace()
    seeds = SEEDS[: args.seeds] if args.seeds <= len(SEEDS) else tuple(range(1, args.seeds + 1))
    models = variants(ns["RNN"])
    names = list(models) if args.mistakes else ["reference", "memoryless"]
    print(f"tp3-rnn learning tests, seeds {list(seeds)}, torch {torch.__version__}, 1 thread")
    tasks = ("classification", "forecasting", "language") if args.task == "all" else (args.task,)
    for task in tasks:
        cfg = {
            "classification": K.CLASSIFICATION,
            "forecasting": K.FORECASTING,
            "language": K.LANGUAGE,
        }[task]
        print(f"\n== {task}: {cfg}")
        results: dict[str, list[float]] = {}
        baselines: list[float] = []
        for name in names:
            model_class, decode = models[name]
            values, seconds = [], []
            for seed in seeds:
                start = time.process_time()
                if task == "classification":
                    values.append(classification(K, model_class, decode, seed))
                elif task == "forecasting":
                    values.append(forecasting(K, model_class, decode, seed))
                else:
                    value, unigram = language(K, ns, model_class, decode, seed)
                    values.append(value)
                    baselines.append(unigram)
                seconds.append(time.process_time() - start)
            results[name] = values
            print(
                f"  {name:16} {summary(values)}   ({statistics.median(seconds):.2f} s CPU per run)"
            )
        if task == "classification":
            threshold, ref = K.ACCURACY_THRESHOLD, results["reference"]
            print(f"  chance           {1 / K.CLASSIFICATION['stations']:.3f} (balanced stations)")
            print(
                f"  threshold        {threshold:.3f}: accuracy must reach it; margin to the reference's worst seed "
                f"{min(ref) - threshold:+.3f}, to chance {threshold - 1 / K.CLASSIFICATION['stations']:+.3f}"
            )
        elif task == "forecasting":
            threshold, ref = K.PERSISTENCE_RATIO, results["reference"]
            print("  persistence      1.000 (ratio of MSEs model / persistence)")
            print(
                f"  threshold        {threshold:.3f}: the ratio must stay below; margin to the reference's "
                f"worst seed {threshold - max(ref):+.3f}, to persistence {1 - threshold:+.3f}"
            )
        else:
            threshold, ref = K.LANGUAGE_THRESHOLD, results["reference"]
            print(f"  uniform          {math.log(95):.3f} (95 symbols)")
            print(f"  unigram          {summary(baselines)} (training frequencies)")
            print(
                f"  threshold        {threshold:.3f}: the loss must stay below; margin to the reference's worst seed "
                f"{threshold - max(ref):+.3f}, to the best unigram {min(baselines) - threshold:+.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
