"""Public tests of tp4-lstm: shipped to students (``check("Q2")``), at least one per graded question.

They check the course's own examples and the documented shapes; the hidden tests check the
values on random inputs, the equations of the GRU and LSTM under any parameter layout, learning,
and the generation functions on more models. Self-contained on purpose: only the engine's
``testing`` module is imported (``autograder`` in the kit, ``rnnkit`` in a student folder).
"""
import importlib
import math
import string
import sys

import torch
import torch.nn.functional as F

_ENGINE = "rnnkit" if "rnnkit.run" in sys.modules else "autograder"
_testing = importlib.import_module(f"{_ENGINE}.testing")
grade, Wrong, describe = _testing.grade, _testing.Wrong, _testing.describe
expect_shape, expect_close = _testing.expect_shape, _testing.expect_close

PAD, EOS = 0, 1
LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
CODE = {c: i + 2 for i, c in enumerate(LETTRES)}
VOCAB = 97
EOS_TOKEN = "<EOS>"


def _codes(text):
    return torch.tensor([CODE[c] for c in text], dtype=torch.long)


def _text(column):
    out = []
    for c in column.tolist():
        if c == EOS:
            break
        if c != PAD:
            out.append(LETTRES[c - 2] if 2 <= c < VOCAB else "?")
    return "".join(out)


# --- Q1 ---------------------------------------------------------------------------------------------------

@grade("Q1", points=0.5, visibility="public")
def test_pad_collate_course_example(student):
    """The course's self-test: "C'est. Un. Test." gives a (7, 3) LongTensor, EOS at [5, 2], zeros below column 1's end."""
    samples = [_codes("C'est."), _codes("Un."), _codes("Test.")]
    out = student.call("pad_collate_fn", samples)
    if isinstance(out, (tuple, list)):
        raise Wrong("tp4_pad_returns_tuple", got=describe(out))
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (6, 3) and not bool((out == EOS).any()):
        raise Wrong("tp4_pad_no_eos")
    expect_shape(out, (7, 3), "pad_collate_fn", "(longest + 1, B)")
    if out.dtype != torch.long:
        raise Wrong("tp4_pad_dtype", got=str(out.dtype).replace("torch.", ""))
    if int(out[5, 2]) != EOS:
        raise Wrong("tp4_pad_course_eos", got=int(out[5, 2]))
    if not bool((out[4:, 1] == PAD).all()):
        raise Wrong("tp4_pad_course_padding", column=out[:, 1].tolist())
    text = " ".join(_text(column) for column in out.t())
    if text != "C'est. Un. Test.":
        raise Wrong("tp4_pad_course_text", got=text)


# --- Q2 ---------------------------------------------------------------------------------------------------

@grade("Q2", points=0.5, visibility="public")
def test_masked_ce_small_example(student):
    """Mean cross-entropy over the non-padding positions of a 3×2 batch (padcar = 0)."""
    g = torch.Generator().manual_seed(7)
    output = torch.randn(3, 2, 5, generator=g)
    target = torch.tensor([[3, 2], [4, 0], [0, 0]])
    value = student.call("maskedCrossEntropy", output, target, 0)
    if hasattr(value, "type_name") and "Loss" in value.type_name:
        raise Wrong("tp4_mce_loss_module", got=value.type_name)
    if not isinstance(value, torch.Tensor):
        raise Wrong("not_a_tensor", function="maskedCrossEntropy", got=describe(value), legend="(scalar)")
    if value.numel() != 1:
        raise Wrong("tp4_mce_no_reduction", got=tuple(value.shape))
    losses = F.cross_entropy(output.reshape(-1, 5), target.reshape(-1), reduction="none")
    mask = (target.reshape(-1) != 0).float()
    got = float(value.reshape(()))
    if abs(got - float((losses * mask).sum())) < 1e-4 and mask.sum() > 1:
        raise Wrong("tp4_mce_sum_not_mean")
    if abs(got - float((losses * mask).sum() / mask.numel())) < 1e-4:
        raise Wrong("tp4_mce_all_positions")
    expect_close(value.reshape(()), (losses * mask).sum() / mask.sum(), "maskedCrossEntropy",
                 what="mean over the 3 non-padding positions", atol=1e-5, rtol=1e-4)


# --- Q3, Q6, Q7: a small table-driven model (the state is a node of a tree of prefixes) --------------------

def _table(tree, default=None):
    """``{prefix: {char or EOS_TOKEN: prob}}`` -> the tensors of the worker's table model."""
    default = default or {EOS_TOKEN: 1.0}
    names = [""] + [n for n in tree if n != ""] + ["*"]
    sink = len(names) - 1
    transitions = torch.full((len(names), VOCAB), sink, dtype=torch.long)
    logits = torch.full((len(names), VOCAB), -30.0)
    for i, name in enumerate(names):
        for token, p in (default if name == "*" else tree[name]).items():
            logits[i, EOS if token == EOS_TOKEN else CODE[token]] = math.log(p)
        for c, code in CODE.items():
            if name != "*" and name + c in tree:
                transitions[i, code] = names.index(name + c)
    return {"transitions": transitions, "logits": logits, "latent": 3, "tuple_state": False}


GREETING = {"": {"H": 0.6, "B": 0.4}, "H": {"i": 0.9, EOS_TOKEN: 0.1}, "Hi": {"!": 0.7, EOS_TOKEN: 0.3},
            "Hi!": {EOS_TOKEN: 1.0}, "B": {"o": 1.0}}
# greedy: "ac" (0.5 × 0.36); the most probable sentence is "bf" (0.4 × 0.9)
BEAM = {"": {"a": 0.5, "b": 0.4, EOS_TOKEN: 0.1}, "a": {"c": 0.36, "d": 0.34, "e": 0.30},
        "b": {"f": 0.9, EOS_TOKEN: 0.1}}


def _generated(student, name, spec, *args, **kwargs):
    if name == "generate":
        kwargs.setdefault("sample", False)  # greedy, asked in the student's own words (or its default)
    out = student.call("@tp4_generate", student.get(name), spec, list(args), kwargs)["results"][0]
    if out is None:
        raise Wrong("tp4_gen_returns_none", function=name)
    if not isinstance(out, str):
        raise Wrong("tp4_gen_not_text", function=name, got=describe(out))
    return out


@grade("Q3", points=0.5, visibility="public")
def test_generate_greedy_small_model(student):
    """Greedy generation on a tiny model: "Hi!" then EOS (not included in the text)."""
    out = _generated(student, "generate", _table(GREETING), EOS, "", 50)
    if out != "Hi!":
        raise Wrong("tp4_gen_greedy_public", expected="Hi!", got=out)


# --- Q4 ---------------------------------------------------------------------------------------------------

@grade("Q4", points=0.5, visibility="public")
def test_build_model_types(student):
    """build_model("gru", 97, 8, 16): an nn.Embedding(97, 8, padding_idx=0) and a GRU (8, 16, 97)."""
    codes = torch.tensor([[2, 5], [7, 0], [9, 0]])
    info = student.call("@tp4_build", student.get("build_model"), ["gru", VOCAB, 8, 16], codes)
    if info.get("length") != 2:
        raise Wrong("tp4_build_returns", got=info.get("type"))
    emb, rnn = info["emb"], info["rnn"]
    if emb["type"] != "Embedding":
        raise Wrong("tp4_build_not_embedding", got=emb["type"])
    if (emb.get("num_embeddings"), emb.get("embedding_dim")) != (VOCAB, 8):
        raise Wrong("tp4_build_embedding_size", got=(emb.get("num_embeddings"), emb.get("embedding_dim")), expected=(VOCAB, 8))
    if emb.get("padding_idx") != PAD:
        raise Wrong("tp4_build_padding_idx", got=emb.get("padding_idx"))
    if rnn["type"] != "GRU" or rnn["module"].startswith("torch"):
        raise Wrong("tp4_build_wrong_class", cell="gru", expected="GRU", got=rnn["type"])


# --- Q5a, Q5b ---------------------------------------------------------------------------------------------

def _refuse_torch_cells(student, model, cls):
    reached = student.call("@torch_recurrent", model)
    if reached:
        path, what = reached[0]
        raise Wrong("tp4_wraps_torch_cell", cls=cls, found=f"{what} ({path})")


def _course_layout(student, model, cls):
    """The course asks forward for the hidden vectors, sequence-first, as one tensor (this test's price)."""
    met = student.conventions(model)
    student.adapted(model, cls)
    if met.get("batch_first"):
        raise Wrong("tp4_batch_first", cls=cls)
    if met.get("forward_returns") in ("tuple", "list"):
        raise Wrong("tp4_forward_container", cls=cls, got=met["forward_returns"])


@grade("Q5a", points=0.5, visibility="public")
def test_gru_shapes(student):
    """GRU(3, 5, 7): one_step (4, 3), (4, 5) -> (4, 5); forward (6, 4, 3) -> (6, 4, 5); decode -> (6, 4, 7)."""
    gru = student.model("GRU", "gru", dim=3, latent=5, output=7)
    _refuse_torch_cells(student, gru, "GRU")
    g = torch.Generator().manual_seed(1)
    h = student.method(gru, "one_step", torch.randn(4, 3, generator=g), torch.zeros(4, 5))
    expect_shape(h, (4, 5), "GRU.one_step", "(B, H)")
    hs = student.method(gru, "forward", torch.randn(6, 4, 3, generator=g))
    expect_shape(hs, (6, 4, 5), "GRU.forward", "(L, B, H)")
    expect_shape(student.method(gru, "decode", hs), (6, 4, 7), "GRU.decode", "(L, B, V)")
    _course_layout(student, gru, "GRU")


@grade("Q5b", points=0.5, visibility="public")
def test_lstm_shapes(student):
    """LSTM(3, 5, 7): one_step(x, (h, c)) -> (h, c), each (4, 5); forward (6, 4, 3) -> (6, 4, 5)."""
    lstm = student.model("LSTM", "lstm", dim=3, latent=5, output=7)
    _refuse_torch_cells(student, lstm, "LSTM")
    g = torch.Generator().manual_seed(2)
    state = student.method(lstm, "one_step", torch.randn(4, 3, generator=g), (torch.zeros(4, 5), torch.zeros(4, 5)))
    if not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise Wrong("tp4_lstm_state_pair", got=describe(state))
    for part in state:
        expect_shape(part, (4, 5), "LSTM.one_step", "(B, H) for h and c")
    hs = student.method(lstm, "forward", torch.randn(6, 4, 3, generator=g))
    expect_shape(hs, (6, 4, 5), "LSTM.forward", "(L, B, H)")
    _course_layout(student, lstm, "LSTM")


# --- Q6 ---------------------------------------------------------------------------------------------------

@grade("Q6", points=0.5, visibility="public")
def test_beam_k1_is_greedy(student):
    """With k = 1, beam search is the greedy generation ("ac" on this small model)."""
    out = _generated(student, "generate_beam", _table(BEAM), EOS, 1, "", 20)
    if out != "ac":
        raise Wrong("tp4_beam_k1_public", expected="ac", got=out)


# --- Q7 ---------------------------------------------------------------------------------------------------

@grade("Q7", points=0.5, visibility="public")
def test_nucleus_small_example(student):
    """p = (0.5, 0.3, 0.15, 0.05), alpha = 0.7: the nucleus is the first two symbols, renormalised."""
    logits = torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log()
    info = student.call("@tp4_nucleus", student.get("p_nucleus"), 0.7, logits)
    if not info["callable"]:
        raise Wrong("tp4_nucleus_not_callable", got=info["type"])
    out = info["result"]
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        raise Wrong("tp4_nucleus_returns_index", got=describe(out))
    out = expect_shape(out, (1, 4), "p_nucleus(decoder, alpha)(h)", "(B, V)")
    if bool((out.nan_to_num(neginf=-1.0) < 0).any()):
        raise Wrong("tp4_nucleus_log_probs")
    if torch.allclose(out, torch.tensor([[1.0, 0, 0, 0]]), atol=1e-5):
        raise Wrong("tp4_nucleus_drops_crossing")
    if torch.allclose(out, torch.tensor([[0.5, 0.3, 0, 0]]), atol=1e-5):
        raise Wrong("tp4_nucleus_not_renormalised")
    expect_close(out, torch.tensor([[0.625, 0.375, 0.0, 0.0]]), "p_nucleus(decoder, alpha)(h)",
                 what="nucleus distribution", atol=1e-5, rtol=1e-4)
