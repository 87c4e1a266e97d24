"""Hidden tests of Q4 (``BiGRUEncoder``) and Q5 (``Seq2SeqAttention``).

Q4: the two GRU cells are read from the parameters' shapes (two ``nn.GRUCell``, either one may be
the forward cell), copied into ``nn.GRU(D, H, bidirectional=True)`` and compared in float64 on
several lengths (``L = 1`` included): outputs, final states, gradients of the input and of every
parameter. The look-alikes are computed and named: backward states not re-reversed, backward cell
reading left to right, ``[backward; forward]``. Holding an ``nn.GRU`` (or calling ``torch.gru``)
earns nothing on the question.

Q5: the decoder's attention weights on new sizes (sum 1, exactly 0 on padding), the output's
dependence on the source but not on its padding, and a learning test: the grader trains the
student's model with its own loop and data (``tp5_checks.LEARNING``, ``learning_data``) and the
exact-match accuracy on held-out strings must reach ``LEARNING_THRESHOLD``, calibrated in
``calibrate.py`` between the reference and a fixed-context decoder.
"""

import torch

from autograder.channel import StudentError
from autograder.testing import Wrong, describe, grade, lab_module

K = lab_module(__file__, "tp5_checks")
F64 = torch.float64
D, H = 3, 5  # 3H = 15, D ≠ H: every tensor's role shows in its shape


def _bigru(student):
    model = student.call(
        "@tp5_construct", student.get("BiGRUEncoder"), {"dim": D, "latent": H}, "bigru", keep=True
    )
    for path, name in student.call("@tp5_modules_of", model):
        if name in ("GRU", "RNN", "LSTM"):
            raise Wrong("tp5_bigru_uses_nn_gru", what=f"nn.{name} ({path})")
    return model


def _outputs(student, model, x):
    got = student.call("@tp5_watch", model, [x])
    if "torch.gru" in got["seen"]:
        raise Wrong("tp5_bigru_uses_nn_gru", what="torch.gru")
    result = got["result"]
    L, b = x.shape[:2]
    if isinstance(result, torch.Tensor) and tuple(result.shape) == (L, b, 2 * H):
        return result, None  # outputs alone: only the final-state test needs h_n
    if not (
        isinstance(result, (tuple, list))
        and len(result) >= 2
        and isinstance(result[0], torch.Tensor)
        and tuple(result[0].shape) == (L, b, 2 * H)
    ):
        shown = (
            "(" + ", ".join(describe(v) for v in result) + ")"
            if isinstance(result, (tuple, list))
            else describe(result)
        )
        raise Wrong(
            "tp5_bigru_shape",
            call=f"BiGRUEncoder({D}, {H})(x {(L, b, D)})",
            got=shown,
            expected_out=(L, b, 2 * H),
            expected_h=(2, b, H),
        )
    return result[0], result[1]


def _identified(student, model, g):
    """(cells, order, values) of a float64 model whose parameters are pinned to random values."""
    shapes = {n: tuple(p.shape) for n, p in student.parameters(model).items()}
    cells = K.gru_cells(shapes, D, H)
    if cells is None:
        raise Wrong(
            "tp5_bigru_layout_unknown",
            D=D,
            H=H,
            shapes=", ".join(f"{n} {s}" for n, s in shapes.items()),
        )
    student.call("@to_dtype", model, "float64")
    values = {n: 0.6 * torch.randn(s, generator=g, dtype=F64) for n, s in shapes.items()}
    student.set_parameters(model, values)
    x = torch.randn(6, 2, D, generator=g, dtype=F64)
    out, _ = _outputs(student, model, x)
    for order in ((0, 1), (1, 0)):
        if K.close(out, K.bigru_functional(values, cells, order, x)[0], 1e-9, 1e-7):
            return cells, order, values
    for variant, key in K.BIGRU_VARIANTS.items():
        for order in ((0, 1), (1, 0)):
            if K.close(out, K.bigru_functional(values, cells, order, x, variant)[0], 1e-9, 1e-7):
                raise Wrong(key)
    best = min(
        K.worst(out, K.bigru_functional(values, cells, order, x)[0]) for order in ((0, 1), (1, 0))
    )
    raise Wrong("tp5_bigru_values", what="outputs", L=6, worst=f"{best:.3g}")


@grade("Q4", points=1.0, timeout=30)
def test_bigru_matches_torch(student, seed):
    """nn.GRU(bidirectional=True) with the student's cells: same outputs for L = 1, 4, 9 and B = 1, 3."""
    g = torch.Generator().manual_seed(seed)
    model = _bigru(student)
    cells, order, values = _identified(student, model, g)
    for L, b in ((1, 3), (4, 1), (9, 3)):
        x = torch.randn(L, b, D, generator=g, dtype=F64)
        out, _ = _outputs(student, model, x)
        gru = K.torch_bigru(values, cells, order, x)
        with torch.no_grad():
            expected, _ = gru(x)
        if not K.close(out, expected, 1e-9, 1e-7):
            raise Wrong(
                "tp5_bigru_values", what="outputs", L=L, worst=f"{K.worst(out, expected):.3g}"
            )


@grade("Q4", points=0.5, timeout=30)
def test_bigru_final_states(student, seed):
    """h_n (2, B, H): the forward state after the last position, the backward one after the first."""
    g = torch.Generator().manual_seed(seed)
    model = _bigru(student)
    cells, order, values = _identified(student, model, g)
    x = torch.randn(5, 3, D, generator=g, dtype=F64)
    _, h_n = _outputs(student, model, x)
    if h_n is None:
        raise Wrong(
            "tp5_bigru_shape",
            call=f"BiGRUEncoder({D}, {H})(x {tuple(x.shape)})",
            got=f"Tensor{(5, 3, 2 * H)} (outputs only)",
            expected_out=(5, 3, 2 * H),
            expected_h=(2, 3, H),
        )
    with torch.no_grad():
        _, expected = K.torch_bigru(values, cells, order, x)(x)
    if isinstance(h_n, torch.Tensor) and tuple(h_n.shape) == (3, 2, H):
        h_n = h_n.transpose(0, 1)
    if not K.close(h_n, expected, 1e-9, 1e-7):
        raise Wrong("tp5_bigru_hn", worst=f"{K.worst(h_n, expected):.3g}")


@grade("Q4", points=0.5, timeout=30)
def test_bigru_gradients(student, seed):
    """Gradients of x and of both cells' parameters against autograd through the same equations."""
    g = torch.Generator().manual_seed(seed)
    model = _bigru(student)
    cells, order, values = _identified(student, model, g)
    x = torch.randn(4, 2, D, generator=g, dtype=F64)
    grad_output = torch.randn(4, 2, 2 * H, generator=g, dtype=F64)
    result = student.call("@forward_backward", model, [x], [0], grad_output, module=model)
    leaves = {n: v.clone().requires_grad_(True) for n, v in values.items()}
    x_leaf = x.clone().requires_grad_(True)
    K.bigru_functional(leaves, cells, order, x_leaf)[0].backward(grad_output)
    checks = [("x", result["grads"]["0"], x_leaf.grad)] + [
        (n, result["param_grads"].get(n), leaf.grad) for n, leaf in leaves.items()
    ]
    for what, got, want in checks:
        if got is None or not bool((got != 0).any()):
            raise Wrong("tp5_no_gradient", function="BiGRUEncoder", what=what)
        if not K.close(got, want, 1e-8, 1e-6):
            raise Wrong(
                "tp5_gradient_values",
                function="BiGRUEncoder",
                what=what,
                worst=f"{K.worst(got, want):.3g}",
            )


# --- Q5 ---------------------------------------------------------------------------------------------------

EMB, HID = 6, 7


def _seq2seq(student, emb=EMB, hidden=HID):
    return student.call(
        "@tp5_construct",
        student.get("Seq2SeqAttention"),
        {"dim": emb, "latent": hidden, "output": K.VOCAB},
        "seq2seq",
        keep=True,
    )


def _batch(g, L, T, lengths):
    src = torch.randint(3, K.VOCAB, (L, len(lengths)), generator=g)
    for b, n in enumerate(lengths):
        src[n:, b] = K.PAD
    tgt_in = torch.randint(3, K.VOCAB, (T, len(lengths)), generator=g)
    tgt_in[0] = K.BOS
    return src, tgt_in


@grade("Q5", points=0.5, timeout=30)
def test_seq2seq_weights(student, seed):
    """New sizes (L = 7, T = 5, B = 4, lengths 7, 1, 4, 2): weights (T, L, B) sum to 1, exactly 0 on PAD."""
    g = torch.Generator().manual_seed(seed)
    model = _seq2seq(student)
    src, tgt_in = _batch(g, 7, 5, [7, 1, 4, 2])
    call = (
        f"Seq2SeqAttention(13, {EMB}, {HID})(src {tuple(src.shape)}, tgt_in {tuple(tgt_in.shape)})"
    )
    layout, weights, got = K.seq2seq_layout(student, model, src, tgt_in, K.VOCAB)
    if weights is None:
        raw = got[1] if isinstance(got, (tuple, list)) and len(got) > 1 else None
        raise Wrong(
            "tp5_s2s_weights_shape",
            call=call,
            got=describe(raw),
            expected=(5, 7, 4),
        )
    sums = weights.to(F64).sum(1)
    bad = ((sums - 1).abs() > 1e-5).nonzero()
    if len(bad):
        step, example = (int(i) for i in bad[0])
        raise Wrong(
            "tp5_s2s_weights_sum",
            call=call,
            step=step,
            example=example,
            total=f"{float(sums[step, example]):.4g}",
        )
    leak = (weights.to(F64) * (src == K.PAD)).abs()
    if bool((leak > 0).any()):
        step, position, example = (int(i) for i in (leak > 0).nonzero()[0])
        raise Wrong(
            "tp5_s2s_weights_padding",
            call=call,
            got=f"{float(weights[step, position, example]):.3g}",
            position=position,
            example=example,
        )


def _context_reaches_the_cell(student, model):
    """Read by shape: three GRU input matrices (3H, emb_dim) (the encoder's two cells and the
    decoder's) and none with the context's 2H columns mean the decoder cell reads the embedding alone
    (step 3 asks for GRUCell([embedding(y_(t-1)); c_t], s_(t-1)))."""
    shapes = [tuple(p.shape) for p in student.parameters(model).values()]
    alone, with_context = (3 * HID, EMB), ((3 * HID, EMB + 2 * HID), (3 * HID, 2 * HID))
    if shapes.count(alone) >= 3 and not any(s in shapes for s in with_context):
        raise Wrong(
            "tp5_s2s_context_not_in_cell",
            got=f"({3 * HID}, {EMB})",
            expected=f"({3 * HID}, {EMB + 2 * HID})",
        )


@grade("Q5", points=0.5, timeout=30)
def test_seq2seq_reads_the_source_with_the_previous_state(student, seed):
    """The logits change with the source's symbols; the weights of step t do not depend on tgt_in[t]
    (the score uses the previous decoder state); the decoder cell reads the context."""
    g = torch.Generator().manual_seed(seed)
    model = _seq2seq(student)
    _context_reaches_the_cell(student, model)
    student.call("@to_dtype", model, "float64")
    src, tgt_in = _batch(g, 6, 4, [6, 3, 4])
    layout, weights, got = K.seq2seq_layout(student, model, src, tgt_in, K.VOCAB)
    logits = got[0] if isinstance(got, (tuple, list)) else got
    other = src.clone()
    other[:3, :] = (src[:3, :] - 3 + 4) % 10 + 3
    moved = student.method(model, "__call__", other, tgt_in)
    moved = moved[0] if isinstance(moved, (tuple, list)) else moved
    if K.close(moved, logits, 1e-10, 0):
        raise Wrong("tp5_s2s_ignores_source")
    if weights is not None:
        changed = tgt_in.clone()
        changed[2] = (tgt_in[2] - 3 + 1) % 10 + 3
        _, weights2, _ = K.seq2seq_layout(student, model, src, changed, K.VOCAB)
        if weights2 is not None and not K.close(weights2[:3], weights[:3], 1e-9, 1e-7):
            raise Wrong("tp5_s2s_score_uses_new_state")


def _learning_accuracy(student, seed, cls_name="Seq2SeqAttention"):
    settings = K.LEARNING
    model = student.call(
        "@tp5_construct",
        student.get(cls_name),
        {"dim": settings["emb"], "latent": settings["hidden"], "output": K.VOCAB},
        "seq2seq",
        keep=True,
    )
    batches, test_src, test_tgt = K.learning_data(seed)
    src, tgt = batches[0]
    layout, _, _ = K.seq2seq_layout(
        student,
        model,
        src[:, :4],
        torch.cat([torch.full_like(tgt[:1, :4], K.BOS), tgt[:-1, :4]]),
        K.VOCAB,
    )
    config = {
        "lr": settings["lr"],
        "clip": settings["clip"],
        "pad": K.PAD,
        "bos": K.BOS,
        "layout": layout,
        "test_src": test_src,
        "steps_out": test_tgt.shape[0],
        "seed": seed,
    }
    try:
        result = student.call("@tp5_train_seq2seq", model, batches, config)
    except StudentError as err:
        raise Wrong("tp5_s2s_training_failed", detail=f"{err.type}: {err.message}"[:300]) from None
    return K.exact_match(result["predicted"], test_tgt), result


@grade("Q5", points=1.0, timeout=90)
def test_seq2seq_learns_to_reverse(student, seed):
    """A short seeded training by the grader (120 Adam steps of 64 pairs); exact-match accuracy on 300
    held-out strings must reach the calibrated threshold (a fixed-context decoder does not)."""
    accuracy, _ = _learning_accuracy(student, seed)
    if accuracy < K.LEARNING_THRESHOLD:
        raise Wrong(
            "tp5_s2s_learning",
            steps=K.LEARNING["steps"],
            lr=K.LEARNING["lr"],
            accuracy=f"{accuracy:.0%}",
            threshold=f"{K.LEARNING_THRESHOLD:.0%}",
            baseline="40-50 %",
        )
