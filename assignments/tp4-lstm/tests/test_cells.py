"""Hidden tests of Q4 (``build_model``), Q5a (``GRU``) and Q5b (``LSTM``).

The layout of the parameters is free: one Linear per gate on ``[h, x]`` or ``[x, h]`` in any
order, fused gates in any order, separate input and hidden layers, raw parameters, with or
without biases. The grader pins every parameter to known random values, runs one step in
float64 and finds the reading of the parameters (by their shapes, every possibility tried at
once) under which the lab's equations give the student's result; parameters that one_step does
not use (a leftover ``W`` of ``RNN.__init__``) are set aside, and a cell that only runs in float32
is graded in float32 with float32 tolerances. The usual look-alikes are
recognised the same way and named: for the GRU the mirrored update (``z·h + (1-z)·h~``),
torch's formulation (reset after the product) and the reset applied after the product alone;
for the LSTM softmax gates, no forget gate, no tanh on the cell, the previous cell in ``h'``, a
sigmoid candidate, and ``(c, h)`` returned in the wrong order. Wrapping ``nn.LSTM``/``nn.GRU``/
``nn.RNN`` or their cells (seen in the class's code or among its modules at run time) earns
nothing for the question.

Then ``forward`` over a sequence, from a given state and from ``None``, and its gradients
(inputs and every parameter) are compared with the identified equations (``torch.nn.LSTM``
itself for the LSTM, final ``h`` and ``c`` included); a state that is not carried, carried
only in part, detached, or an output shifted by one step are named. Last, each cell is trained
by the grader's loop on the speech sample and must reach a calibrated held-out loss (settings,
data and thresholds in ``tp4_checks``: ``LEARNING``, ``LEARNING_THRESHOLD``; the student's
``pad_collate_fn`` and ``maskedCrossEntropy`` are used when they pass a quick check).

Partial credit: ``GRU_PARTIAL_CREDIT`` gives the share of the GRU equations test kept by a
recognised look-alike (default: half for the mirrored update and for torch's formulation).
"""

import pytest
import torch

from autograder.channel import StudentError
from autograder.probes import refuse_acausal
from autograder.testing import Wrong, describe, grade, lab_module

K = lab_module(__file__, "tp4_checks")
F64 = torch.float64
D, H, V = (
    3,
    5,
    7,
)  # all different, and H + D = 8, 2H, 3H, 4H too: every block's role shows in its shape
L, B = 6, 4

# Share of the points of test_gru_equations kept by a recognised look-alike (a catalog key).
GRU_PARTIAL_CREDIT = {"tp4_gru_mirrored_z": 0.5, "tp4_gru_torch_formulation": 0.5}
GRU_EQUATIONS_POINTS = 1.0
GRU_KEYS = {
    "mirrored": "tp4_gru_mirrored_z",
    "torch": "tp4_gru_torch_formulation",
    "reset_after": "tp4_gru_reset_after_product",
}
LSTM_KEYS = {
    "softmax_gates": "tp4_lstm_softmax_gates",
    "no_forget": "tp4_lstm_no_forget_gate",
    "no_tanh_cell": "tp4_lstm_no_tanh_cell",
    "old_cell": "tp4_lstm_old_cell",
    "sigmoid_candidate": "tp4_lstm_sigmoid_candidate",
}

# Learning tests: settings, data and thresholds live in tp4_checks (LEARNING, LEARNING_THRESHOLD).


# --- Q4 ---------------------------------------------------------------------------------------------------


@grade("Q4", points=0.5, timeout=20)
def test_build_model_embedding_and_cells(student):
    """nn.Embedding(V, D, padding_idx=0) (no one-hot) feeding an RNN/GRU/LSTM (D, H, V); ValueError otherwise."""
    codes = torch.tensor([[2, 5, 9], [7, 0, 3], [9, 0, 0], [4, 0, 0]])
    fn = student.get("build_model")
    for cell, cls in (("lstm", "LSTM"), ("rnn", "RNN"), ("gru", "GRU")):
        info = student.call("@tp4_build", fn, [cell, K.VOCAB, 6, 10], codes)
        if info.get("length") != 2:
            raise Wrong("tp4_build_returns", got=info.get("type"))
        emb, rnn = info["emb"], info["rnn"]
        if emb["type"] != "Embedding" or not emb["module"].startswith("torch.nn"):
            raise Wrong("tp4_build_not_embedding", got=emb["type"])
        if (emb.get("num_embeddings"), emb.get("embedding_dim")) != (K.VOCAB, 6):
            raise Wrong(
                "tp4_build_embedding_size",
                got=(emb.get("num_embeddings"), emb.get("embedding_dim")),
                expected=(K.VOCAB, 6),
            )
        if emb.get("padding_idx") != K.PAD:
            raise Wrong("tp4_build_padding_idx", got=emb.get("padding_idx"))
        if rnn["type"] != cls or rnn["module"].startswith("torch"):
            raise Wrong("tp4_build_wrong_class", cell=cell, expected=cls, got=rnn["type"])
        if "rnn_error" in info:
            raise Wrong("tp4_build_pipeline", cell=cell, error=info["rnn_error"])
        out = info.get("rnn_out")
        if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
            out = out[0]
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (4, 3, 10):
            raise Wrong(
                "tp4_build_pipeline",
                cell=cell,
                error=f"rnn(emb(codes)) gave {describe(out)}, expected (4, 3, 10)",
            )
    try:
        student.call("build_model", "transformer", K.VOCAB, 6, 10)
    except StudentError as err:
        if err.type != "ValueError":
            raise Wrong("tp4_build_no_value_error", got=err.type) from None
    else:
        raise Wrong("tp4_build_no_value_error", got="no exception")


# --- shared: identify a cell -------------------------------------------------------------------------------


def _identified(student, source, cls, seed):
    """The student's cell in float64 (float32 if it only runs in float32) and what it computes."""
    identify = K.identify_gru if cls == "GRU" else K.identify_lstm
    model = student.model(cls, cls.lower(), dim=D, latent=H, output=V)
    rule = K.refuse_wrapped(student, source, model, cls)
    student.call("@to_dtype", model, "float64")
    try:
        idf = identify(student, model, D, H, V, torch.Generator().manual_seed(seed))
        dtype = F64
    except StudentError as err:
        if not K.dtype_error(err):
            raise
        model = student.model(
            cls, cls.lower(), dim=D, latent=H, output=V
        )  # runs in float32 only: float32 tolerances
        idf = identify(
            student, model, D, H, V, torch.Generator().manual_seed(seed), dtype=torch.float32
        )
        dtype = torch.float32
    if idf.variant is None:
        _unknown(idf, cls)
    return model, idf, dtype, rule


def _unknown(idf, cls):
    if idf.reading is None and idf.detail:
        raise Wrong(
            "tp4_cell_layout_unknown", cls=cls, shapes=K.shapes_text(idf.params), D=D, H=H, V=V
        )
    raise Wrong("tp4_gru_equations" if cls == "GRU" else "tp4_lstm_equations")


def _gru_credit_levels():
    levels = sorted({c for c in GRU_PARTIAL_CREDIT.values() if 0 < c < 1} | {1.0})
    previous, params = 0.0, []
    for level in levels:
        points = round(GRU_EQUATIONS_POINTS * (level - previous), 6)
        params.append(
            pytest.param(
                level, marks=grade("Q5a", points=points, timeout=20), id=f"credit{level:g}"
            )
        )
        previous = level
    return params


@pytest.mark.parametrize("level", _gru_credit_levels())
def test_gru_equations(student, source, seed, level):
    """GRU.one_step in float64 against the lab's equations, under any layout (GRU_PARTIAL_CREDIT: layered)."""
    _, idf, _, rule = _identified(student, source, "GRU", seed)
    if idf.variant != "lab":
        key = GRU_KEYS[idf.variant]
        if GRU_PARTIAL_CREDIT.get(key, 0.0) < level:
            raise Wrong(key)
    rule.review_if_doubtful()


@grade("Q5b", points=0.75, timeout=20)
def test_lstm_equations(student, source, seed):
    """LSTM.one_step in float64 against the lab's equations (those of torch.nn.LSTM), under any layout."""
    _, idf, _, rule = _identified(student, source, "LSTM", seed)
    if idf.variant != "lab":
        raise Wrong(LSTM_KEYS[idf.variant])
    if idf.swapped:
        raise Wrong("tp4_lstm_state_swapped")
    rule.review_if_doubtful()


# --- forward and gradients -----------------------------------------------------------------------------------


def _leaves(params):
    return {name: p.detach().clone().requires_grad_(True) for name, p in params.items()}


def _gru_step(blocks, variant):
    def step(x, h):
        return K.gru_cell(K.pre_from_blocks(blocks, x, h), x, h, variant)

    return step


def _lstm_step(blocks, variant):
    def step(x, state):
        h, c = state
        return K.lstm_cell(K.pre_from_blocks(blocks, x, h), x, h, c, variant)

    return step


def _forward_problem(got, step, x, state, hidden, pairs: bool, tol):
    """The catalog key of what the student's forward computed instead, or None when unknown."""
    with torch.no_grad(), K.one_thread():
        modes = ["not_carried", "shifted"] + (["h_only", "c_only"] if pairs else [])
        for mode in modes:
            if K.close(got, K.chain(step, x, state, hidden, mode), *tol):
                return {
                    "not_carried": "tp4_state_not_carried",
                    "shifted": "tp4_forward_shifted",
                    "h_only": "tp4_state_c_not_carried",
                    "c_only": "tp4_state_h_not_carried",
                }[mode]
        zero = tuple(torch.zeros_like(s) for s in state) if pairs else torch.zeros_like(state)
        if K.close(got, K.chain(step, x, zero, hidden), *tol):
            return "tp4_forward_ignores_state"
        if pairs and K.close(got, K.chain(step, x, state, lambda s: s[1]), *tol):
            return "tp4_forward_returns_c"
    return None


def _check_forward(student, model, cls, idf, seed, dtype=F64):
    """forward from a given state and from None, and its gradients, against the identified equations."""
    tol, grad_tol = K.TOLERANCE[dtype], K.GRAD_TOLERANCE[dtype]
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(L, B, D, generator=g, dtype=F64)
    pairs = cls == "LSTM"
    h0 = 0.5 * torch.randn(B, H, generator=g, dtype=F64)
    state = (h0, 0.5 * torch.randn(B, H, generator=g, dtype=F64)) if pairs else h0
    sent_state = tuple(s.to(dtype) for s in state) if pairs else state.to(dtype)
    grad_out = torch.randn(L, B, H, generator=g, dtype=F64)
    result = student.call(
        "@tp4_forward_backward", model, [x.to(dtype), sent_state], [0], grad_out.to(dtype), model
    )
    got = result["output"]
    if tuple(got.shape) != (L, B, H):
        raise Wrong(
            "shape",
            function=f"{cls}.forward",
            expected=(L, B, H),
            got=tuple(got.shape),
            legend="(L, B, H)",
        )
    leaves = _leaves(idf.params)
    blocks = idf.reading.blocks(leaves)
    step = _lstm_step(blocks, idf.variant) if pairs else _gru_step(blocks, idf.variant)
    hidden = (lambda s: s[0]) if pairs else (lambda s: s)
    xr = x.clone().requires_grad_(True)
    with K.one_thread():
        if pairs and idf.variant == "lab":
            want, hn, cn = K.nn_lstm_forward(blocks, xr, *state)
        else:
            want = K.chain(step, xr, state, hidden)
    if not K.close(got, want.detach(), *tol):
        key = _forward_problem(got, step, x, state, hidden, pairs, tol)
        raise Wrong(key or "tp4_forward_values", cls=cls)
    # from None: the zero state
    none = student.method(model, "forward", x.to(dtype))
    if isinstance(none, (tuple, list)) and none and isinstance(none[0], torch.Tensor):
        none = none[0]
    zero = (torch.zeros(B, H, dtype=F64),) * 2 if pairs else torch.zeros(B, H, dtype=F64)
    with torch.no_grad(), K.one_thread():
        want_none = K.chain(step, x, zero, hidden)
    if not K.close(none, want_none, *tol):
        raise Wrong("tp4_forward_none_state", cls=cls)
    if (
        pairs and idf.variant == "lab"
    ):  # final (h, c) through the state protocol, against torch.nn.LSTM's (h_n, c_n)
        last = student.call("@tp4_unroll", model, x.to(dtype), sent_state)[-1]
        if not (isinstance(last, (tuple, list)) and len(last) == 2):
            raise Wrong("tp4_lstm_state_pair", got=describe(last))
        if not (K.close(last[0], hn.detach(), *tol) and K.close(last[1], cn.detach(), *tol)):
            raise Wrong("tp4_final_state")
    # gradients
    with K.one_thread():
        (want * grad_out).sum().backward()
    grads = result.get("param_grads") or {}
    x_grad = result["grads"].get("0")
    problems = []
    if x_grad is None or not K.close(x_grad, xr.grad, *grad_tol):
        problems.append("x")
    for name in idf.reading_used():
        want_grad = leaves[name].grad
        if want_grad is None:
            continue
        got_grad = grads.get(name)
        if got_grad is None or not K.close(got_grad, want_grad, *grad_tol):
            problems.append(name)
    if problems:
        if x_grad is not None and _detached_matches(
            step, x, state, hidden, grad_out, x_grad, grad_tol
        ):
            raise Wrong("tp4_state_detached", cls=cls)
        raise Wrong("tp4_gradient_values", cls=cls, names=", ".join(problems[:4]))


def _detached_matches(step, x, state, hidden, grad_out, x_grad, grad_tol) -> bool:
    xr = x.clone().requires_grad_(True)
    with K.one_thread():
        out = K.chain(step, xr, state, hidden, "detached")
        (out * grad_out).sum().backward()
    return K.close(x_grad, xr.grad, *grad_tol)


@grade("Q5a", points=0.5, timeout=20)
def test_gru_forward_and_gradients(student, source, seed):
    """GRU.forward from h and from None, and its gradients (input and parameters), in float64."""
    gru, idf, dtype, rule = _identified(student, source, "GRU", seed)
    _check_forward(student, gru, "GRU", idf, seed, dtype)
    rule.review_if_doubtful()


@grade("Q5b", points=0.5, timeout=20)
def test_lstm_forward_state_and_gradients(student, source, seed):
    """LSTM.forward against torch.nn.LSTM: outputs, final h and c (state protocol), gradients, in float64."""
    lstm, idf, dtype, rule = _identified(student, source, "LSTM", seed)
    if idf.swapped:
        raise Wrong("tp4_lstm_state_swapped")
    _check_forward(student, lstm, "LSTM", idf, seed, dtype)
    rule.review_if_doubtful()


# --- learning ----------------------------------------------------------------------------------------------------


def _student_helpers(student):
    """The student's pad_collate_fn and maskedCrossEntropy when they pass a quick check, else None (the loop's own)."""
    samples = [torch.tensor([5, 6, 7]), torch.tensor([8]), torch.tensor([9, 10])]
    expected = torch.tensor([[5, 8, 9], [6, 1, 10], [7, 0, 1], [1, 0, 0]])
    collate = loss = None
    try:
        out = student.call("pad_collate_fn", samples)
        if isinstance(out, torch.Tensor) and out.dtype == torch.long and torch.equal(out, expected):
            collate = student.get("pad_collate_fn")
    except (StudentError, Wrong):
        pass
    try:
        g = torch.Generator().manual_seed(3)
        logits = torch.randn(4, 3, 12, generator=g)
        target = expected.clone()
        value = student.call("maskedCrossEntropy", logits, target, 0)
        ce = torch.nn.functional.cross_entropy(
            logits.reshape(-1, 12), target.reshape(-1), reduction="none"
        )
        mask = (target.reshape(-1) != 0).float()
        if (
            isinstance(value, torch.Tensor)
            and value.numel() == 1
            and abs(float(value) - float((ce * mask).sum() / mask.sum())) < 1e-4
        ):
            loss = student.get("maskedCrossEntropy")
    except (StudentError, Wrong):
        pass
    return collate, loss


def _held_out_loss(cls, student, seed, used):
    train, batch = K.learning_data()
    collate, loss = _student_helpers(student)
    config = dict(K.LEARNING, vocab=K.VOCAB, seed=seed, kind=cls.lower())
    result = student.call(
        "@tp4_train", student.get(cls), train, batch, config, collate, loss, timeout=60
    )
    logits = result["logits"]
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (
        batch.shape[0] - 1,
        batch.shape[1],
        K.VOCAB,
    ):
        raise Wrong("tp4_learning_output", cls=cls, got=describe(logits))
    # The cell's own parameters must learn: an output detached from them trains the decoder alone.
    moved = result.get("grad_norms") or {}
    frozen = sorted(name for name in used if not moved.get(name, 0.0) > 0.0)
    if used and len(frozen) == len(used):
        raise Wrong("tp4_learning_no_gradient", cls=cls, names=", ".join(frozen[:4]))
    return K.masked_mean_ce(logits, batch[1:])


def _used_parameters(student, model, cls, generator) -> list:
    x = torch.randn(3, D, generator=generator)
    h = torch.randn(3, H, generator=generator)
    state = (h, torch.randn(3, H, generator=generator)) if cls == "LSTM" else h
    return list(student.call("@tp4_used", model, x, state))


def _learns(student, source, cls, seed):
    model = student.model(cls, cls.lower(), dim=D, latent=H, output=V)
    rule = K.refuse_wrapped(student, source, model, cls)
    g = torch.Generator().manual_seed(seed)
    # The loop's call: forward on embedded inputs (L, B, D); what moves decides, before any training.
    refuse_acausal(
        lambda xs: student.call("@outputs", model, [[x] for x in xs]),
        torch.randn(6, 3, D, generator=g),
        g,
        f"{cls}.forward",
    )
    value = _held_out_loss(cls, student, seed, _used_parameters(student, model, cls, g))
    if not value < K.LEARNING_THRESHOLD[cls]:
        raise Wrong(
            "tp4_learning",
            cls=cls,
            loss=f"{value:.3f}",
            threshold=K.LEARNING_THRESHOLD[cls],
            steps=K.LEARNING["steps"],
        )
    rule.review_if_doubtful()


@grade("Q5a", points=0.5, timeout=60)
def test_gru_learns(student, source, seed):
    """The GRU, trained 25 steps by the grader's loop on the speech sample, reaches the calibrated held-out loss."""
    _learns(student, source, "GRU", seed)


@grade("Q5b", points=0.75, timeout=60)
def test_lstm_learns(student, source, seed):
    """The LSTM, trained 25 steps by the grader's loop on the speech sample, reaches the calibrated held-out loss."""
    _learns(student, source, "LSTM", seed)
