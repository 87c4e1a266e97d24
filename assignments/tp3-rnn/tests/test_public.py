"""Public tests of tp3-rnn: shipped to students (``check("Q1")``), at least one per graded question.

They check shapes, types and the documented layouts, and the mistakes the questions warn about:
``forward`` must be ``one_step`` iterated, ``one_step`` a tanh cell with a full recurrent matrix,
``decode`` raw affine scores; ``classify`` decodes the last state, ``evaluate_classifier`` gives a
mean and a proportion, ``forecast`` feeds its predictions back, ``generate_fixed`` never writes the
null symbol and samples when asked (on stand-in models whose answers these tests compute themselves).
Exact values against ``torch.nn.RNN``, gradients and learning are checked by the hidden tests. Self-contained on purpose: only the engine is imported (``autograder`` in the
kit, ``rnnkit`` in a student folder). The helpers that read what ``forward`` returns are also
used by the hidden tests, so both always agree on what counts as a deviation.

Stand-in models (``@tp3_probe_rnn``) have the lab's API and simple linear maths, so that
``classify`` and ``generate_fixed`` are tested whatever the state of your own ``RNN``.
"""

import importlib
import sys
from dataclasses import dataclass

import torch

_ENGINE = "rnnkit" if "rnnkit.run" in sys.modules else "autograder"
_testing = importlib.import_module(f"{_ENGINE}.testing")
StudentError = importlib.import_module(f"{_ENGINE}.channel").StudentError
grade, Wrong, describe = _testing.grade, _testing.Wrong, _testing.describe
expect_shape, expect_dtype, expect_tensor = (
    _testing.expect_shape,
    _testing.expect_dtype,
    _testing.expect_tensor,
)
expect_close = _testing.expect_close

D, H, O = 3, 5, 4  # all different (and D + H too): each parameter's role shows in its shape
L, B = 6, 2  # L != B: a batch-first forward shows


# --- reading what forward returns (shared with the hidden tests) ---------------------------------------


def unwrap(value):
    """``(tensor or None, container)``: a tuple gives its first element, a list of states is stacked."""
    if isinstance(value, torch.Tensor):
        return value, "tensor"
    if isinstance(value, tuple) and value:
        inner, container = unwrap(value[0])
        return inner, "tuple"
    if isinstance(value, list) and value and all(isinstance(v, torch.Tensor) for v in value):
        if len({tuple(v.shape) for v in value}) == 1:
            return torch.stack(value), "list"
    return None, "list" if isinstance(value, list) else "other"


def close(a, b, atol=1e-5, rtol=1e-4) -> bool:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return False
    a, b = a.double(), b.double()
    return bool(torch.isfinite(a).all()) and bool(((a - b).abs() <= atol + rtol * b.abs()).all())


@dataclass
class Reading:
    """How the student's ``forward`` was called and what came back, brought to sequence-first."""

    states: torch.Tensor | None  # (T, B, H) sequence-first, T in L-1..L+1; None if unusable
    raw: object  # what came back, for messages
    input_t: bool  # it worked on x.transpose(0, 1) (batch-first input)
    pass_h: bool  # forward(x, h) works (else only forward(x))
    container: str  # tensor | tuple | list
    output_t: bool  # the states came back batch-first
    align: str  # ok | h0_first | with_h0 | drop_last | drop_first
    error: dict | None  # the failure of forward(x, h) when nothing worked

    def spec(self, latent: int, **extra) -> dict:
        """The adapter the worker applies (``states`` of the lab's ``procedures.py``) to get h_1..h_L sequence-first."""
        return {
            "input_t": self.input_t,
            "pass_h": self.pass_h,
            "container": self.container,
            "output_t": self.output_t,
            "align": self.align,
            "latent": latent,
            **extra,
        }

    @property
    def batch_first(self) -> bool:
        return self.input_t or self.output_t

    def overlap(self, full: torch.Tensor):
        """(student part, matching part of h_1..h_L) for comparisons, whatever the alignment."""
        s = self.states
        if self.align == "with_h0":
            return s[1:], full
        if self.align == "h0_first":
            return s[1:], full[:-1]
        if self.align == "drop_last":
            return s, full[:-1]
        if self.align == "drop_first":
            return s, full[1:]
        return s, full


CALLS = (
    ("fw", False, True),
    ("fw_t", True, True),
    ("fw_none", False, False),
    ("fw_t_none", True, False),
)


def read_forward(reply: dict, length: int, batch: int, latent: int, h0: torch.Tensor) -> Reading:
    """Interpret ``@tp3_forward_probe``'s reply for an input of ``length`` steps and ``batch`` rows."""
    unrolled = reply["unrolled"].get("ok")
    found = []
    for key, input_t, pass_h in CALLS:
        result = reply[key]
        if "ok" not in result:
            continue
        tensor, container = unwrap(result["ok"])
        if tensor is None or tensor.dim() != 3 or tensor.shape[-1] != latent:
            found.append(Reading(None, result["ok"], input_t, pass_h, container, False, "ok", None))
            continue
        steps, rows = tensor.shape[0], tensor.shape[1]
        output_t = False
        if (
            rows != batch
            and tensor.shape[0] == batch
            and abs(rows - length) <= 1
            and container != "list"
        ):
            tensor, output_t = tensor.transpose(0, 1), True
        elif (
            input_t
            and container != "list"
            and steps == batch
            and rows == length
            and batch != length
        ):
            tensor, output_t = tensor.transpose(0, 1), True
        if tensor.shape[1] != batch or abs(tensor.shape[0] - length) > 1:
            found.append(Reading(None, result["ok"], input_t, pass_h, container, False, "ok", None))
            continue
        found.append(
            Reading(
                tensor,
                result["ok"],
                input_t,
                pass_h,
                container,
                output_t,
                _alignment(tensor, unrolled, h0, length),
                None,
            )
        )
    usable = [r for r in found if r.states is not None]
    if not usable:
        if found:
            return found[0]
        return Reading(None, None, False, True, "other", False, "ok", reply["fw"])
    # Prefer, among the calls that worked, the one whose states are one_step's (then the API's order).
    for reading in usable:
        part, full = (
            reading.overlap(unrolled) if isinstance(unrolled, torch.Tensor) else (None, None)
        )
        if part is not None and close(part, full):
            return reading
    return usable[0]


def _alignment(states, unrolled, h0, length) -> str:
    steps = states.shape[0]
    h0 = h0.to(states.dtype)
    if steps == length + 1:
        return "with_h0"
    if steps == length - 1:
        if (
            isinstance(unrolled, torch.Tensor)
            and close(states, unrolled[1:])
            and not close(states, unrolled[:-1])
        ):
            return "drop_first"
        return "drop_last"
    if (
        isinstance(unrolled, torch.Tensor)
        and not close(states, unrolled)
        and close(states[0], h0)
        and close(states[1:], unrolled[:-1])
    ):
        return "h0_first"
    return "ok"


def forward_reading(student, model, x, h0, latent) -> tuple[Reading, dict]:
    """Run ``@tp3_forward_probe`` and read it; the student's error when no call of forward works."""
    reply = student.call("@tp3_forward_probe", model, x, h0)
    for key in ("fw", "fw_t", "fw_none", "fw_t_none"):
        if reply[key].get("not_implemented"):
            raise StudentError(
                {
                    "kind": "not_implemented",
                    "type": "NotImplementedError",
                    "message": reply[key]["error"],
                    "where": "RNN.forward",
                }
            )
    reading = read_forward(reply, x.shape[0], x.shape[1], latent, h0)
    if reading.states is None and reading.raw is None:
        error = reply["fw"].get("error", "")
        kind, _, message = error.partition(": ")
        raise StudentError(
            {"kind": "raised", "type": kind, "message": message, "where": "RNN.forward"}
        )
    return reading, reply


def format_problem(reading: Reading, length: int, batch: int, latent: int):
    """The catalog key and params of a forward that is not one tensor (L, B, H) sequence-first, or None."""
    if reading.states is None:
        if reading.container == "tuple":
            return "tp3_forward_tuple", {"got": describe(reading.raw)}
        if reading.container == "list":
            return "tp3_forward_list", {"got": describe(reading.raw)}
        got = (
            tuple(reading.raw.shape)
            if isinstance(reading.raw, torch.Tensor)
            else describe(reading.raw)
        )
        if isinstance(reading.raw, torch.Tensor):
            return "shape", {
                "function": "RNN.forward",
                "expected": (length, batch, latent),
                "got": got,
                "legend": "(L, B, H)",
            }
        return "not_a_tensor", {"function": "RNN.forward", "got": got, "legend": "(L, B, H)"}
    if reading.container == "tuple":
        return "tp3_forward_tuple", {"got": describe(reading.raw)}
    if reading.container == "list":
        return "tp3_forward_list", {"got": describe(reading.raw)}
    if reading.batch_first:
        return "tp3_batch_first", {"L": length, "B": batch}
    steps = reading.states.shape[0]
    if steps == length + 1:
        return "tp3_forward_includes_h0", {"L": length, "got": steps}
    if steps == length - 1:
        return "tp3_forward_drops_step", {"L": length, "got": steps}
    return None


def worst(a: torch.Tensor, b: torch.Tensor) -> float:
    if not isinstance(a, torch.Tensor) or a.shape != b.shape:
        return float("inf")
    return float((a.double() - b.double()).abs().max())


def forward_problem(reading: Reading, reply: dict, h0: torch.Tensor, atol: float):
    """Why the states of forward differ from one_step iterated: (key, params), or None when they agree."""
    unrolled = reply["unrolled"].get("ok")
    if not isinstance(unrolled, torch.Tensor) or reading.states is None:
        return None
    if reading.align == "h0_first":
        return "tp3_forward_shifted", {}
    part, full = reading.overlap(unrolled)
    if close(part, full, atol):
        return None
    each = reply["each"].get("ok")
    if isinstance(each, torch.Tensor) and close(part, reading.overlap(each)[1], atol):
        return "tp3_state_not_updated", {}
    if close(part, torch.tanh(full), atol):
        return "tp3_tanh_after_loop", {}
    zero = reply["unrolled_zero"].get("ok")
    if isinstance(zero, torch.Tensor) and close(part, reading.overlap(zero)[1], atol):
        return "tp3_forward_ignores_h", {}
    return "tp3_forward_not_one_step", {"worst": f"{worst(part, full):.3g}"}


def _student_error(result: dict, where: str):
    """A failure ``@tp3_calls`` or ``@tp3_forward_probe`` brought back as data, as the student's own error."""
    kind, _, message = result["error"].partition(": ")
    return StudentError(
        {
            "kind": "not_implemented" if result.get("not_implemented") else "raised",
            "type": kind,
            "message": message,
            "where": where,
        }
    )


def constructor_order(student, model, d, h, o):
    """``(dim, latent, output)`` read in another order, judged from the parameters' shapes, or None."""
    try:
        shapes = {tuple(p.shape) for p in student.parameters(model).values()}
    except StudentError:
        return None
    import itertools

    def fits(dd, hh, oo):
        return (
            (hh, dd) in shapes
            or (dd, hh) in shapes
            or (hh, dd + hh) in shapes
            or (dd + hh, hh) in shapes
        ) and ((oo, hh) in shapes or (hh, oo) in shapes)

    if fits(d, h, o):
        return None
    for perm in itertools.permutations((d, h, o)):
        if perm != (d, h, o) and fits(*perm):
            return perm
    return None


def rnn_argument_order(student) -> None:
    """Kept for callers: the constructor's order is now read by ``new_rnn`` itself (any order, names, extras)."""
    return None


def new_rnn(student, d, h, o, order=None):
    """RNN with sizes (dim d, latent h, output o), built the way the student's constructor asks.

    Another argument order, other names or extra arguments (``device``, a length...) cost nothing: the
    course leaves the constructor open (``autograder/sandbox/adapt.construct``).
    """
    return student.build("RNN", "rnn", dim=d, latent=h, output=o)


# --- stand-in models -----------------------------------------------------------------------------------------

PROBE_STYLES = (
    (False, "tensor"),
    (True, "tensor"),
    (False, "tuple"),
    (False, "list"),
    (True, "tuple"),
)


def probe_weights(generator, d, h, o, scale=0.4):
    A = scale * torch.randn(d, h, generator=generator)
    R = 0.5 * torch.linalg.qr(torch.randn(h, h, generator=generator))[0]
    Bm = torch.randn(h, o, generator=generator)
    c = 0.3 * torch.randn(o, generator=generator)
    return A, R, Bm, c


def probe_states(A, R, x):
    """States h_1..h_L of the stand-in (h_t = h_{t-1} R + x_t A from zeros), computed here in float64."""
    h, out = torch.zeros(x.shape[1], A.shape[1], dtype=torch.float64), []
    for x_t in x.double():
        h = h @ R.double() + x_t @ A.double()
        out.append(h)
    return torch.stack(out)


def each_style(student, weights, attempt):
    """``attempt(probe, batch_first)`` with the plain stand-in, then the ones that mimic other conventions."""
    first = None
    for batch_first, container in PROBE_STYLES:
        probe = student.call("@tp3_probe_rnn", *weights, batch_first, container)
        try:
            attempt(probe, batch_first)
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            first = first or err
    raise first


# --- Q1 ---------------------------------------------------------------------------------------------------


@grade("Q1", points=1, visibility="public")
def test_rnn_one_step_and_decode_shapes(student, seed):
    """one_step: (B, D), (B, H) -> (B, H); decode: (B, H) -> (B, O); float32, several sizes, B = 1."""
    g = torch.Generator().manual_seed(seed)
    for d, h, o in ((D, H, O), (1, 8, 2), (4, 2, 7)):
        model = new_rnn(student, d, h, o)
        for batch in (4, 1):
            x, state = torch.randn(batch, d, generator=g), torch.randn(batch, h, generator=g)
            out = student.call(
                "@tp3_calls", model, [["one_step", [x, state], {}], ["decode", [state], {}]]
            )
            where = f"RNN({d}, {h}, {o})"
            expected = (("one_step", "(B, H)", (batch, h)), ("decode", "(B, O)", (batch, o)))
            for (name, legend, shape), result in zip(expected, out):
                if "error" in result:
                    order = constructor_order(student, model, d, h, o)
                    if order is not None:
                        raise Wrong(
                            "tp3_constructor_order",
                            dim=d,
                            latent=h,
                            output=o,
                            got=", ".join(map(str, order)),
                        )
                    if result.get("not_implemented"):
                        raise StudentError(
                            {
                                "kind": "not_implemented",
                                "type": "NotImplementedError",
                                "message": result["error"],
                                "where": f"RNN.{name}",
                            }
                        )
                    kind, _, message = result["error"].partition(": ")
                    raise StudentError(
                        {"kind": "raised", "type": kind, "message": message, "where": f"RNN.{name}"}
                    )
                expect_shape(result["ok"], shape, f"{where}.{name}", legend)
                expect_dtype(result["ok"], torch.float32, f"{where}.{name}")
    student.adapted(model, "RNN")  # another constructor order or extra arguments: said, at no cost


@grade("Q1", points=1, visibility="public")
def test_rnn_forward_returns_all_states_sequence_first(student, seed):
    """forward(x, h): x (L, B, D) -> one tensor h_1..h_L of shape (L, B, H), time first."""
    g = torch.Generator().manual_seed(seed)
    model = new_rnn(student, D, H, O)
    x, h0 = torch.randn(L, B, D, generator=g), torch.randn(B, H, generator=g)
    reading, _ = forward_reading(student, model, x, h0, H)
    problem = format_problem(reading, L, B, H)
    if problem is not None:
        raise Wrong(problem[0], **problem[1])


@grade("Q1", points=0.5, visibility="public")
def test_rnn_forward_is_one_step_iterated(student, seed):
    """forward(x, h) gives the states of one_step applied step by step from h: h_1..h_L, each fed to the next."""
    g = torch.Generator().manual_seed(seed)
    model = new_rnn(student, D, H, O)
    x, h0 = torch.randn(L, B, D, generator=g), 0.5 * torch.randn(B, H, generator=g)
    reading, reply = forward_reading(student, model, x, h0, H)
    if reading.states is None:
        key, params = format_problem(reading, L, B, H)
        raise Wrong(key, **params)
    if "error" in reply["unrolled"]:
        raise _student_error(reply["unrolled"], "RNN.one_step")
    if (
        not reading.pass_h
    ):  # forward(x) only: its states start from zeros (the hidden tests price the signature)
        reply, h0 = {**reply, "unrolled": reply["unrolled_zero"]}, torch.zeros_like(h0)
    problem = forward_problem(reading, reply, h0, 1e-5)
    if problem is not None:
        raise Wrong(problem[0], **problem[1])


@grade("Q1", points=0.25, visibility="public")
def test_rnn_one_step_is_a_tanh_cell(student, seed):
    """one_step: values in [-1, 1] of both signs (tanh), and every unit moved by h's first unit (a full W_h)."""
    g = torch.Generator().manual_seed(seed)
    model = new_rnn(student, D, H, O)
    x, h = 2 * torch.randn(8, D, generator=g), 0.5 * torch.randn(8, H, generator=g)
    moved = h.clone()
    moved[:, 0] += 1.0
    results = student.call(
        "@tp3_calls", model, [["one_step", [x, h], {}], ["one_step", [x, moved], {}]]
    )
    for result in results:
        if "error" in result:
            raise _student_error(result, "RNN.one_step")
    out, out_moved = (
        expect_shape(r["ok"], (8, H), "RNN.one_step", "(B, H)").double() for r in results
    )
    if bool((out >= 0).all()):
        raise Wrong(
            "tp3_activation_relu" if float(out.max()) > 1 + 1e-6 else "tp3_activation_sigmoid"
        )
    if float(out.abs().max()) > 1 + 1e-6:
        raise Wrong("tp3_no_activation")
    changed = (out_moved - out).abs() > 1e-6
    if not bool(changed.any()):
        raise Wrong("tp3_one_step_ignores_h")
    if not bool(changed[:, 1:].any()):
        raise Wrong("tp3_diagonal_recurrence")


@grade("Q1", points=0.25, visibility="public")
def test_rnn_decode_gives_raw_scores(student, seed):
    """decode maps (L, B, H) to (L, B, O) and is affine: no softmax or sigmoid, y = W_d h + b_d."""
    g = torch.Generator().manual_seed(seed)
    model = new_rnn(student, D, H, O)
    h = 2 * torch.randn(L, B, H, generator=g)
    a, b = h[0], h[1]
    results = student.call(
        "@tp3_calls", model, [["decode", [h], {}], ["decode", [torch.cat([a, b, (a + b) / 2])], {}]]
    )
    if "error" in results[1]:
        raise _student_error(results[1], "RNN.decode")
    if "error" in results[0]:
        raise Wrong("tp3_decode_leading_dims", got=results[0]["error"][:120])
    out = results[0]["ok"]
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (L, B, O):
        raise Wrong(
            "tp3_decode_leading_dims",
            got=tuple(out.shape) if isinstance(out, torch.Tensor) else describe(out),
        )
    rows = expect_shape(results[1]["ok"], (3 * B, O), "RNN.decode", "(B, O)").double()
    ya, yb, ym = rows[:B], rows[B : 2 * B], rows[2 * B :]
    if close(ym, (ya + yb) / 2, 1e-5, 1e-4):
        return
    if bool((rows >= 0).all()) and close(
        rows.sum(dim=-1), torch.ones(3 * B, dtype=torch.float64), 1e-5
    ):
        raise Wrong("tp3_decode_softmax")
    if bool((rows > 0).all()) and bool((rows < 1).all()):
        raise Wrong("tp3_decode_sigmoid")
    raise Wrong("tp3_decode_not_affine")


# --- Q2 ---------------------------------------------------------------------------------------------------


@grade("Q2", points=0.5, visibility="public")
def test_classify_shape(student, seed):
    """classify(model, x (L, B, D)) -> scores (B, C), on a stand-in model with the lab's API."""
    g = torch.Generator().manual_seed(seed)
    d, h, c, length, batch = 3, 5, 4, 7, 6
    weights = probe_weights(g, d, h, c)
    x = torch.randn(length, batch, d, generator=g)
    first = None
    for batch_first, container in PROBE_STYLES:
        probe = student.call("@tp3_probe_rnn", *weights, batch_first, container)
        try:
            out = student.call("classify", probe, x.transpose(0, 1) if batch_first else x)
            expect_shape(out, (batch, c), "classify", "(B, C)")
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            first = first or err
    raise first


@grade("Q2", points=0.25, visibility="public")
def test_classify_returns_the_last_state_decoded(student, seed):
    """classify(model, x) = model.decode(h_L) on a stand-in whose states this test computes itself."""
    g = torch.Generator().manual_seed(seed)
    A, R, Bm, c = weights = probe_weights(g, 3, 5, 4)
    x = torch.randn(7, 6, 3, generator=g)
    states = probe_states(A, R, x)
    expected = states[-1] @ Bm.double() + c.double()

    def attempt(probe, batch_first):
        out = expect_shape(
            student.call("classify", probe, x.transpose(0, 1) if batch_first else x),
            (6, 4),
            "classify",
            "(B, C)",
        )
        if close(out, expected, 1e-4):
            return
        if close(out, states[0] @ Bm.double() + c.double(), 1e-4):
            raise Wrong("tp3_classify_first_state")
        expect_close(out, expected, "classify", what="scores", legend="(B, C)", atol=1e-4)

    each_style(student, weights, attempt)


@grade("Q2", points=0.25, visibility="public")
def test_evaluate_classifier_gives_mean_loss_and_accuracy(student, seed):
    """evaluate_classifier(model, loader) = (mean cross-entropy, share of right answers in [0, 1]) over 2 batches."""
    g = torch.Generator().manual_seed(seed)
    A, R, Bm, c = weights = probe_weights(g, 3, 5, 4)
    x = torch.randn(10, 4, 3, generator=g)  # batch-first, as a DataLoader yields it
    y = torch.randint(0, 4, (10,), generator=g)
    scores = probe_states(A, R, x.transpose(0, 1))[-1] @ Bm.double() + c.double()
    loss = float(torch.nn.functional.cross_entropy(scores, y))
    acc = float((scores.argmax(1) == y).double().mean())
    loader = student.call("@tp3_loader", x, y, 5)

    def attempt(probe, batch_first):
        out = student.call("evaluate_classifier", probe, loader)
        if not isinstance(out, (tuple, list)) or len(out) < 2:
            raise Wrong("tp3_evaluate_return", got=describe(out))
        try:
            got_loss, got_acc = float(out[0]), float(out[1])
        except (TypeError, ValueError):
            raise Wrong("tp3_evaluate_return", got=describe(out)) from None
        if abs(got_acc - acc) > 1e-6:
            if abs(got_acc - acc * len(x)) < 1e-4:
                raise Wrong("tp3_evaluate_accuracy_count", got=f"{got_acc:g}")
            if abs(got_acc - 100 * acc) < 1e-4:
                raise Wrong("tp3_evaluate_accuracy_percent", got=f"{got_acc:g}")
            raise Wrong("tp3_evaluate_accuracy", got=f"{got_acc:.4g}")
        if abs(got_loss - loss) > 1e-4 * max(1.0, abs(loss)):
            raise Wrong("tp3_evaluate_loss", got=f"{got_loss:.4g}")

    each_style(student, weights, attempt)


# --- Q3 ---------------------------------------------------------------------------------------------------


@grade("Q3", points=0.5, visibility="public")
def test_stations_as_batch_layout(student, seed):
    """(B, L, S, D) -> (L, B·S, D): the series of station s of example b at index b·S + s."""
    batch, length, stations, dim = 2, 3, 4, 2
    x = torch.arange(batch * length * stations * dim, dtype=torch.float32).reshape(
        batch, length, stations, dim
    )
    out = expect_shape(
        student.call("stations_as_batch", x),
        (length, batch * stations, dim),
        "stations_as_batch",
        "(L, B·S, D)",
    )
    for b in range(batch):
        for s in range(stations):
            if torch.equal(out[:, b * stations + s], x[b, :, s]):
                continue
            if torch.equal(out[:, s * batch + b], x[b, :, s]):
                raise Wrong("tp3_stations_order", b=b, s=s, S=stations, B=batch)
            raise Wrong("tp3_stations_layout", b=b, s=s, index=b * stations + s)


@grade("Q3", points=0.25, visibility="public")
def test_forecast_feeds_its_predictions_back(student, seed):
    """forecast(model, x, 3): decode(h_L) first, then each prediction is the next input of one_step."""
    g = torch.Generator().manual_seed(seed)
    A, R, Bm, c = weights = probe_weights(g, 2, 5, 2)
    x, horizon = torch.randn(5, 6, 2, generator=g), 3
    h = probe_states(A, R, x)[-1]
    expected = [h @ Bm.double() + c.double()]
    for _ in range(horizon - 1):
        h = h @ R.double() + expected[-1] @ A.double()
        expected.append(h @ Bm.double() + c.double())
    expected = torch.stack(expected)

    def attempt(probe, batch_first):
        out = student.call("forecast", probe, x.transpose(0, 1) if batch_first else x, horizon)
        if batch_first and isinstance(out, torch.Tensor) and tuple(out.shape) == (6, horizon, 2):
            out = out.transpose(0, 1)
        out = expect_shape(out, (horizon, 6, 2), "forecast", "(horizon, N, D)")
        if close(out, expected, 1e-4):
            return
        if close(out[0], expected[0], 1e-4):  # the first step is right: the feeding is not
            raise Wrong("tp3_forecast_not_fed_back")
        expect_close(
            out,
            expected,
            "forecast",
            what="prédictions / predictions",
            legend="(horizon, N, D)",
            atol=1e-4,
        )

    each_style(student, weights, attempt)


# --- Q4 ---------------------------------------------------------------------------------------------------


@grade("Q4", points=0.5, visibility="public")
def test_one_hot_linear_shape(student, seed):
    """OneHotLinear(96, 7): x (L, B) indices -> (L, B, 7) float32, for any ids in 0..95."""
    g = torch.Generator().manual_seed(seed)
    vocab, dim = 96, 7
    emb = student.new("OneHotLinear", vocab, dim)
    x = torch.randint(0, vocab, (4, 3), generator=g)
    x[0, 0], x[1, 1] = 0, vocab - 1
    out = expect_tensor(student.method(emb, "__call__", x), "OneHotLinear.forward", "(L, B, dim)")
    if tuple(out.shape) == (4, 3, vocab):
        raise Wrong("tp3_onehot_no_linear", vocab=vocab, dim=dim)
    expect_shape(out, (4, 3, dim), "OneHotLinear.forward", "(L, B, dim)")
    expect_dtype(out, torch.float32, "OneHotLinear.forward")
    small = torch.randint(1, 20, (5, 2), generator=g)  # the largest id is absent
    try:
        expect_shape(
            student.method(emb, "__call__", small),
            (5, 2, dim),
            "OneHotLinear.forward",
            "(L, B, dim)",
        )
    except StudentError as err:
        raise Wrong(
            "tp3_onehot_num_classes", vocab=vocab, error=f"{err.type}: {err.message}"[:200]
        ) from None


@grade("Q4", points=0.5, visibility="public")
def test_generate_fixed_length(student, seed):
    """generate_fixed(rnn, emb, start, n) -> start followed by exactly n characters (stand-in model)."""
    g = torch.Generator().manual_seed(seed)
    vocab, e, h = 96, 6, 7
    A, R, Bm, c = probe_weights(g, e, h, vocab, scale=0.8)
    c[0] = -5.0  # the null symbol is never the best here
    table = torch.randn(vocab, e, generator=g)
    emb = student.call("@tp3_probe_embedding", table)
    first = None
    for batch_first, container in PROBE_STYLES:
        rnn = student.call("@tp3_probe_rnn", A, R, Bm, c, batch_first, container)
        try:
            for start, n in (("The ", 12), ("", 5)):
                out = student.call("generate_fixed", rnn, emb, start, n)
                if not isinstance(out, str):
                    raise Wrong("tp3_generate_not_str", got=describe(out))
                if not out.startswith(start):
                    raise Wrong("tp3_generate_without_start", start=start, got=out[:40])
                if len(out) != len(start) + n:
                    raise Wrong(
                        "tp3_generate_length",
                        start=start,
                        n=n,
                        expected=len(start) + n,
                        got=len(out),
                    )
            return
        except (Wrong, StudentError) as err:
            if isinstance(err, StudentError) and err.kind == "not_implemented":
                raise
            first = first or err
    raise first


def _language_standin(g, null_score):
    """A stand-in character model (RNN(6, 7, 96) and an embedding table) whose null symbol 0 scores ``null_score``."""
    vocab, e, h = 96, 6, 7
    A, R, Bm, c = probe_weights(g, e, h, vocab, scale=0.8)
    c[0] = null_score
    return (A, R, Bm, c), torch.randn(vocab, e, generator=g)


@grade("Q4", points=0.25, visibility="public")
def test_generate_fixed_never_writes_the_null_symbol(student, seed):
    """The null symbol 0 scores highest here: masked, it is never produced, so the length stays exact."""
    g = torch.Generator().manual_seed(seed)
    weights, table = _language_standin(g, null_score=30.0)
    emb = student.call("@tp3_probe_embedding", table)

    def attempt(probe, batch_first):
        for start, n in (("The ", 10), ("", 6)):
            out = student.call("generate_fixed", probe, emb, start, n)
            if not isinstance(out, str):
                raise Wrong("tp3_generate_not_str", got=describe(out))
            if len(out) < len(start) + n:
                raise Wrong("tp3_generate_null_symbol", start=start, n=n, got=repr(out[:40]))
            if len(out) != len(start) + n:
                raise Wrong(
                    "tp3_generate_length", start=start, n=n, expected=len(start) + n, got=len(out)
                )

    each_style(student, weights, attempt)


@grade("Q4", points=0.25, visibility="public")
def test_generate_fixed_samples_when_asked(student, seed):
    """sample=True draws from the softmax: 40 one-character generations from the same start are not all equal."""
    g = torch.Generator().manual_seed(seed)
    (A, R, Bm, c), table = _language_standin(g, null_score=-20.0)
    c[1:] = -20.0
    c[1:6] = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2])  # five likely characters, the rest negligible
    emb = student.call("@tp3_probe_embedding", table)

    def attempt(probe, batch_first):
        results = student.call(
            "@tp3_repeat", student.get("generate_fixed"), [probe, emb, "", 1], {"sample": True}, 40
        )
        texts = []
        for result in results:
            if "error" in result:
                raise _student_error(result, "generate_fixed")
            texts.append(result["ok"])
        if not all(isinstance(t, str) for t in texts):
            raise Wrong(
                "tp3_generate_not_str",
                got=describe(next(t for t in texts if not isinstance(t, str))),
            )
        if len(set(texts)) == 1:
            raise Wrong("tp3_generate_not_sampling")

    each_style(student, (A, R, Bm, c), attempt)
