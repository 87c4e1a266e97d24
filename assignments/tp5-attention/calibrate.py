"""Calibrate the tp5-attention learning test: the reference Seq2SeqAttention against decoders without
attention, on several seeds.

``python -m autograder calibrate tp5-attention`` (``make calibrate ASSIGNMENT=tp5-attention``) runs, in
this process and on one thread, exactly the grader's training loop (``procedures.py``:
``train_seq2seq``) with the settings and data of the hidden test (``tests/tp5_checks.py``:
``LEARNING``, ``learning_data``), on the reference's ``Seq2SeqAttention`` and on baselines built
on it: a fixed context (the mean of the encoder states at every step, the classic encoder-decoder),
no context at all (the decoder sees the source through its initial state only), and the context fed
to the output layer but not to the decoder cell. It prints the held-out exact-match accuracy
(min / median / max over the seeds), the seconds per training and the threshold's margins.

Reading the output: the threshold is sound when it sits clearly between the reference's worst seed
and the best fixed-context seed. ``--seeds N`` changes the number of seeds (default 5).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from autograder.assignments import lab_procedures
from autograder.testing import lab_module

loops = lab_procedures("tp5-attention")  # the worker's procedures, as the grader loads them


def checks():
    return lab_module(__file__, "tp5_checks")


def reference_namespace() -> dict:
    from autograder.reference import reference_namespace as build

    return build("tp5-attention", Path(tempfile.mkdtemp(prefix="rnnkit-calibrate-")))


def baselines(ns: dict) -> dict:
    """Decoders that cannot use attention, built on the reference class."""
    base = ns["Seq2SeqAttention"]
    pad = ns["PAD"]

    def encode(self, src):
        mask = src != pad
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        return mask, annotations, s

    def run(self, src, tgt_in, context_fn, in_cell=True, in_output=True):
        mask, annotations, s = encode(self, src)
        uniform = mask.to(annotations.dtype) / mask.sum(0)
        logits = []
        for y in self.tgt_embedding(tgt_in):
            c = context_fn(self, s, annotations, mask, uniform)
            zero = torch.zeros_like(c)
            s = self.decoder_cell(torch.cat([y, c if in_cell else zero], -1), s)
            logits.append(self.output(torch.cat([s, c if in_output else zero], -1)))
        return torch.stack(logits), uniform.expand(len(tgt_in), *uniform.shape)

    def fixed(self, s, annotations, mask, uniform):
        return (uniform.unsqueeze(-1) * annotations).sum(0)

    def attended(self, s, annotations, mask, uniform):
        alpha = ns["attention_weights"](
            ns["score_additive"](s, annotations, self.v_a, self.W_1, self.W_2), mask
        )
        return (alpha.unsqueeze(-1) * annotations).sum(0)

    class FixedContext(base):
        def forward(self, src, tgt_in):
            return run(self, src, tgt_in, fixed)

    class NoContext(base):
        def forward(self, src, tgt_in):
            return run(self, src, tgt_in, fixed, in_cell=False, in_output=False)

    class ContextOutputOnly(base):
        def forward(self, src, tgt_in):
            return run(self, src, tgt_in, attended, in_cell=False)

    return {
        "fixed context": FixedContext,
        "no context": NoContext,
        "context in output only": ContextOutputOnly,
    }


def accuracy(cls, seed: int) -> tuple[float, float]:
    K = checks()
    settings = K.LEARNING
    torch.manual_seed(seed)
    model = cls(K.VOCAB, settings["emb"], settings["hidden"])
    batches, test_src, test_tgt = K.learning_data(seed)
    config = {
        "lr": settings["lr"],
        "clip": settings["clip"],
        "pad": K.PAD,
        "bos": K.BOS,
        "layout": "TBV",
        "test_src": test_src,
        "steps_out": test_tgt.shape[0],
        "seed": seed,
    }
    start = time.perf_counter()
    result = loops.train_seq2seq(model, batches, config)
    return K.exact_match(result["predicted"], test_tgt), time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calibrate tp5-attention")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    K = checks()
    ns = reference_namespace()
    # seeds other than the hidden tests' own (those are CRC32 of the test names)
    seeds = [1000 + i for i in range(args.seeds)]
    models = {"reference": ns["Seq2SeqAttention"], **baselines(ns)}
    print(f"learning test: {K.LEARNING}")
    print(f"threshold: exact-match accuracy >= {K.LEARNING_THRESHOLD:.2f} on held-out strings")
    results = {}
    for name, cls in models.items():
        scores, seconds = zip(*(accuracy(cls, seed) for seed in seeds))
        results[name] = scores
        print(
            f"{name:24s} accuracy min {min(scores):.3f}  median {statistics.median(scores):.3f}  "
            f"max {max(scores):.3f}   ({statistics.median(seconds):.1f} s per training)"
        )
    worst_reference = min(results["reference"])
    best_fixed = max(results["fixed context"])
    print(
        f"margins: reference worst - threshold = {worst_reference - K.LEARNING_THRESHOLD:+.3f}; "
        f"threshold - best fixed context = {K.LEARNING_THRESHOLD - best_fixed:+.3f}"
    )
    return 0 if worst_reference > K.LEARNING_THRESHOLD > best_fixed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
