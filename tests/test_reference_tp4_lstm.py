"""Reference solution of tp4-lstm (LSTM/GRU lab) against independent computations.

The reference is built once per module; its notebook's gradable cells give the models and the
loss, and its handed-out modules (``textloader``, ``generate``) are imported from the build.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import subprocess
import sys
import textwrap

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.assignments import ROOT, SKIP_TAG, load_assignment, load_module
from autograder.build import build_template
from autograder.reference import reference_namespace

ASSIGNMENT = "tp4-lstm"


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    for name in ("textloader", "generate", "coursedata"):
        sys.modules.pop(name, None)  # resolve them in this build, not in an earlier one
    return reference_namespace(ASSIGNMENT, tmp_path_factory.mktemp(ASSIGNMENT))


@pytest.fixture(scope="module")
def tl(ns):
    import textloader

    return textloader


@pytest.fixture(scope="module")
def gen(ns):
    import generate

    return generate


@contextlib.contextmanager
def one_thread():
    """Tiny models train faster on one thread, and much faster on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --------------------------------------------------------------------------- textloader, Q1


def test_vocabulary_of_the_course(tl):
    assert (tl.PAD_IX, tl.EOS_IX, tl.VOCAB_SIZE) == (0, 1, 97)
    assert tl.id2lettre[0] == "<PAD>" and tl.id2lettre[1] == "<EOS>"
    assert "".join(tl.id2lettre[i] for i in range(2, 97)) == tl.LETTRES
    assert all(tl.lettre2id[c] == i for i, c in tl.id2lettre.items())
    assert tl.normalize("Café — déjà\n") == "Cafe  deja"  # dash and newline dropped, spaces kept
    codes = tl.string2code("Ab.")
    assert codes.dtype == torch.long and codes.tolist() == [tl.LETTRES.index(c) + 2 for c in "Ab."]
    assert tl.code2string([tl.PAD_IX] + codes.tolist() + [tl.EOS_IX] + codes.tolist()) == "Ab."


def test_text_dataset_splits_cleans_and_truncates(tl):
    text = "  Hello   world. \n\n. Second  one. Abcdefghij. "
    ds = tl.TextDataset(text)
    assert ds.sentences == ["Hello world.", "Second one.", "Abcdefghij."]
    assert len(ds) == 3 and ds[1].tolist() == tl.string2code("Second one.").tolist()
    # As in the course, a piece is cut before it is cleaned: its leading spaces count.
    assert tl.TextDataset(text, maxlen=5).sentences == ["Hel.", "Seco.", "Abcd."]
    assert tl.TextDataset("Abcdefghij.", maxlen=5).sentences == ["Abcde."]
    assert tl.TextDataset(text, maxsent=2).sentences == ["Hello world.", "Second one."]


def test_pad_collate_passes_the_course_self_test(tl):
    text = "C'est. Un. Test."
    ds = tl.TextDataset(text)
    batch = next(iter(torch.utils.data.DataLoader(ds, collate_fn=tl.pad_collate_fn, batch_size=3)))
    assert tuple(batch.shape) == (7, 3) and batch.dtype == torch.long
    assert batch[5, 2].item() == tl.EOS_IX
    assert (batch[4:, 1] == 0).all()
    assert " ".join(tl.code2string(column) for column in batch.t()) == text
    # Whole tensor, built column by column from the sentences.
    expected = torch.zeros(7, 3, dtype=torch.long)
    for b, sentence in enumerate(["C'est.", "Un.", "Test."]):
        codes = [tl.LETTRES.index(c) + 2 for c in sentence] + [tl.EOS_IX]
        expected[: len(codes), b] = torch.tensor(codes)
    assert torch.equal(batch, expected)


def test_pad_collate_edge_cases_and_inputs_unchanged(tl):
    one = torch.tensor([5, 6, 7])
    assert tl.pad_collate_fn([one]).tolist() == [[5], [6], [7], [tl.EOS_IX]]
    empty = torch.zeros(0, dtype=torch.long)
    assert tl.pad_collate_fn([empty]).tolist() == [[tl.EOS_IX]]
    samples = [empty, one, torch.tensor([9])]
    copies = [s.clone() for s in samples]
    batch = tl.pad_collate_fn(samples)
    assert batch.dtype == torch.long
    assert batch.t().tolist() == [[1, 0, 0, 0], [5, 6, 7, 1], [9, 1, 0, 0]]
    batch.fill_(42)  # the batch must not share memory with its inputs
    assert all(torch.equal(s, c) for s, c in zip(samples, copies))


# --------------------------------------------------------------------------- Q2 loss


@pytest.mark.parametrize("padcar", [0, 3])
def test_masked_cross_entropy_equals_a_loop_over_tokens(ns, padcar):
    torch.manual_seed(1)
    L, B, V = 7, 5, 11
    output = torch.randn(L, B, V, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, V, (L, B))
    target[target == padcar] = (padcar + 1) % V  # padding only where we put it
    lengths = [7, 3, 1, 5, 0]
    for b, n in enumerate(lengths):
        target[n:, b] = padcar
    loss = ns["maskedCrossEntropy"](output, target, padcar)
    total, count = 0.0, 0
    for t in range(L):
        for b in range(B):
            if target[t, b].item() != padcar:
                logits = output[t, b].tolist()
                log_z = math.log(sum(math.exp(v) for v in logits))
                total += log_z - logits[target[t, b].item()]
                count += 1
    assert loss.dim() == 0 and count == sum(lengths)
    assert loss.item() == pytest.approx(total / count, rel=1e-10)
    loss.backward()
    padded = target == padcar
    assert (output.grad[padded] == 0).all()
    assert (output.grad[~padded].abs().sum(-1) > 0).all()


def test_masked_cross_entropy_of_pure_padding_is_zero(ns):
    loss = ns["maskedCrossEntropy"](torch.randn(3, 2, 4), torch.zeros(3, 2, dtype=torch.long), 0)
    assert loss.item() == 0


# --------------------------------------------------------------------------- models


def test_rnn_follows_its_equation_and_shapes(ns):
    torch.manual_seed(2)
    D, H, V, L, B = 3, 4, 6, 5, 2
    rnn = ns["RNN"](D, H, V).double()
    x = torch.randn(L, B, D, dtype=torch.float64)
    W, b = rnn.W.weight.detach(), rnn.W.bias.detach()
    h = torch.zeros(B, H, dtype=torch.float64)
    expected = []
    for t in range(L):
        h = torch.tanh(h @ W[:, :H].T + x[t] @ W[:, H:].T + b)
        expected.append(h)
    hs = rnn(x)
    assert hs.shape == (L, B, H)
    torch.testing.assert_close(hs, torch.stack(expected))
    assert rnn.decode(hs).shape == (L, B, V)
    assert rnn.init_state(B).shape == (B, H) and rnn.init_state(B).dtype == torch.float64


def test_build_model_uses_an_embedding_and_the_right_cell(ns):
    for cell, cls in (("rnn", ns["RNN"]), ("gru", ns["GRU"]), ("lstm", ns["LSTM"])):
        emb, rnn = ns["build_model"](cell, 97, 16, 32)
        assert isinstance(emb, nn.Embedding) and (emb.num_embeddings, emb.embedding_dim) == (97, 16)
        assert emb.padding_idx == 0
        assert type(rnn) is cls and (rnn.dim, rnn.latent, rnn.output) == (16, 32, 97)
        logits = rnn.decode(rnn(emb(torch.randint(0, 97, (4, 3)))))
        assert logits.shape == (4, 3, 97)
    with pytest.raises(ValueError):
        ns["build_model"]("transformer", 97, 16, 32)


def _copy_lstm_weights(lstm, ref, H):
    """Per-gate Linears on [h, x] -> torch.nn.LSTM rows, in its gate order i, f, g, o."""
    with torch.no_grad():
        for k, name in enumerate(("W_i", "W_f", "W_C", "W_o")):
            lin, rows = getattr(lstm, name), slice(k * H, (k + 1) * H)
            ref.weight_ih_l0[rows] = lin.weight[:, H:]
            ref.weight_hh_l0[rows] = lin.weight[:, :H]
            ref.bias_ih_l0[rows] = lin.bias
            ref.bias_hh_l0[rows] = 0


def test_lstm_equals_torch_lstm_outputs_states_and_gradients(ns):
    torch.manual_seed(3)
    D, H, L, B = 3, 4, 6, 2
    lstm = ns["LSTM"](D, H, 5).double()
    ref = nn.LSTM(D, H).double()
    _copy_lstm_weights(lstm, ref, H)
    x = torch.randn(L, B, D, dtype=torch.float64, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_()
    h0, c0 = torch.randn(B, H, dtype=torch.float64), torch.randn(B, H, dtype=torch.float64)

    hs = lstm(x, (h0, c0))
    state = (h0, c0)
    for x_t in x:
        state = lstm.one_step(x_t, state)
    hs_ref, (h_n, c_n) = ref(x_ref, (h0[None], c0[None]))
    torch.testing.assert_close(hs, hs_ref)
    torch.testing.assert_close(state[0], h_n[0])
    torch.testing.assert_close(state[1], c_n[0])
    torch.testing.assert_close(lstm(x.detach()), ref(x.detach())[0])  # default zero state

    weights_h, weights_c = torch.randn_like(hs), torch.randn_like(state[1])
    ((hs * weights_h).sum() + (state[1] * weights_c).sum()).backward()
    ((hs_ref * weights_h).sum() + (c_n[0] * weights_c).sum()).backward()
    torch.testing.assert_close(x.grad, x_ref.grad)
    for k, name in enumerate(("W_i", "W_f", "W_C", "W_o")):
        lin, rows = getattr(lstm, name), slice(k * H, (k + 1) * H)
        torch.testing.assert_close(lin.weight.grad[:, H:], ref.weight_ih_l0.grad[rows])
        torch.testing.assert_close(lin.weight.grad[:, :H], ref.weight_hh_l0.grad[rows])
        torch.testing.assert_close(lin.bias.grad, ref.bias_ih_l0.grad[rows])
    assert set(lstm.gates) == {"forget", "input", "output"}
    assert all(g.shape == (B, H) and not g.requires_grad for g in lstm.gates.values())


def test_gru_follows_the_lab_equations_not_torch_gru(ns):
    torch.manual_seed(4)
    D, H, L, B = 3, 5, 6, 2
    gru = ns["GRU"](D, H, 7).double()
    x = torch.randn(L, B, D, dtype=torch.float64)
    h0 = torch.randn(B, H, dtype=torch.float64)

    def split(lin):
        w = lin.weight.detach()
        return w[:, :H], w[:, H:], lin.bias.detach()

    (zh, zx, zb), (rh, rx, rb), (wh, wx, wb) = split(gru.W_z), split(gru.W_r), split(gru.W)
    for start in (h0, None):
        h = torch.zeros(B, H, dtype=torch.float64) if start is None else start
        expected = []
        for t in range(L):
            z = torch.sigmoid(h @ zh.T + x[t] @ zx.T + zb)
            r = torch.sigmoid(h @ rh.T + x[t] @ rx.T + rb)
            h = (1 - z) * h + z * torch.tanh((r * h) @ wh.T + x[t] @ wx.T + wb)
            expected.append(h)
        torch.testing.assert_close(gru(x, start), torch.stack(expected))
    torch.testing.assert_close(gru.one_step(x[0], h0), gru(x[:1], h0)[0])

    # torch.nn.GRU with the same weights copied naively (gate order r, z, n) computes another cell.
    ref = nn.GRU(D, H).double()
    with torch.no_grad():
        for k, (wh_, wx_, b_) in enumerate(((rh, rx, rb), (zh, zx, zb), (wh, wx, wb))):
            rows = slice(k * H, (k + 1) * H)
            ref.weight_ih_l0[rows], ref.weight_hh_l0[rows] = wx_, wh_
            ref.bias_ih_l0[rows], ref.bias_hh_l0[rows] = b_, 0
        torch_out = ref(x, h0[None])[0]
    assert (torch_out - gru(x, h0)).abs().max() > 1e-2


# --------------------------------------------------------------------------- generation helpers

PAD, EOS, A, B_, C = 0, 1, 2, 3, 4  # codes of a tiny vocabulary: "<PAD>", "<EOS>", "a", "b", "c"
V = 5


class MarkovModel:
    """A fake recurrent model: the state is the one-hot of the last symbol (column V = start).

    ``emb`` gives one-hots of size V+1 and ``one_step`` returns its input, so the next-symbol
    logits depend on the previous symbol only: ``decoder(h) = h @ table`` with table (V+1, V).
    """

    def __init__(self, probs):
        rows = torch.tensor(probs, dtype=torch.float64) + 1e-9  # PAD and zeros: almost impossible
        self.table = torch.log(rows / rows.sum(-1, keepdim=True))
        self.steps = 0

    def init_state(self, batch):
        state = torch.zeros(batch, V + 1, dtype=torch.float64)
        state[:, V] = 1
        return state

    def one_step(self, x, state):
        self.steps += 1
        return x

    def hidden(self, state):
        return state

    def emb(self, ids):
        return F.one_hot(ids, V + 1).double()

    def decoder(self, h):
        return h @ self.table

    def logp(self, codes, ended):
        """Log-probability of emitting ``codes`` (then EOS when ``ended``) from the start state."""
        prev, total = V, 0.0
        for code in codes + ([EOS] if ended else []):
            total += self.table[prev, code].item()
            prev = code
        return total


def chain(start, after_a, after_b, after_c):
    """Probabilities over (PAD, EOS, a, b, c) after each previous symbol; PAD/EOS rows unused."""
    unused = [0, 1, 0, 0, 0]
    return [unused, unused, after_a, after_b, after_c, start]


# Greedy follows a -> a -> a ... (0.5 then 0.3 per step); "b" then EOS has probability 0.405.
TRAP = chain(
    start=[0, 0, 0.5, 0.45, 0.05],
    after_a=[0, 0.2, 0.3, 0.25, 0.25],
    after_b=[0, 0.9, 0.04, 0.03, 0.03],
    after_c=[0, 0.5, 0.5, 0, 0],
)
STRAIGHT = chain(
    start=[0, 0.1, 0.6, 0.2, 0.1],
    after_a=[0, 0.1, 0.1, 0.7, 0.1],
    after_b=[0, 0.1, 0.1, 0.1, 0.7],
    after_c=[0, 0.7, 0.1, 0.1, 0.1],
)
LOOP = chain(
    start=[0, 0, 1, 0, 0],
    after_a=[0, 0.1, 0.8, 0.1, 0],
    after_b=[0, 1, 0, 0, 0],
    after_c=[0, 1, 0, 0, 0],
)


def exhaustive_best(model, maxlen):
    """Most probable output over every EOS-ended sequence of at most maxlen picks, or maxlen symbols."""
    best = (-math.inf, None)
    symbols = [PAD, A, B_, C]
    for n in range(maxlen + 1):
        for seq in itertools.product(symbols, repeat=n):
            ended = n < maxlen
            best = max(best, (model.logp(list(seq), ended), list(seq)), key=lambda s: s[0])
    return best


def letters(codes):
    return "".join("abc"[c - A] for c in codes if c >= A)


# --------------------------------------------------------------------------- Q3 generate


def test_greedy_generation_on_a_hand_built_model(gen):
    model = MarkovModel(STRAIGHT)
    run = lambda start="", maxlen=200, **kw: gen.generate(
        model, model.emb, model.decoder, EOS, start, maxlen, **kw
    )
    assert run() == "abc"
    assert model.steps == 3  # a, b and c were fed; generation stopped at EOS
    assert run() == "abc"  # deterministic
    assert run(maxlen=2) == "ab"
    assert run(maxlen=0) == ""
    assert run(start="b") == "bc"
    assert run(start="c") == "c"  # EOS right away, not in the text
    loop = MarkovModel(LOOP)
    assert gen.generate(loop, loop.emb, loop.decoder, EOS, "", 7) == "aaaaaaa"


def test_sampled_generation_uses_the_global_seed_and_stops_at_eos(gen):
    model = MarkovModel(STRAIGHT)
    outputs = []
    for seed in range(20):
        torch.manual_seed(seed)
        outputs.append(gen.generate(model, model.emb, model.decoder, EOS, "c", 10, sample=True))
    torch.manual_seed(3)
    assert gen.generate(model, model.emb, model.decoder, EOS, "c", 10, sample=True) == outputs[3]
    assert len(set(outputs)) > 1
    assert all(o.startswith("c") and len(o) <= 11 and set(o) <= set("abc") for o in outputs)


def test_generate_drives_the_reference_models_without_gradients(ns, gen, tl):
    torch.manual_seed(5)
    for cell in ("rnn", "gru", "lstm"):
        emb, rnn = ns["build_model"](cell, tl.VOCAB_SIZE, 8, 16)
        text = gen.generate(rnn, emb, rnn.decode, tl.EOS_IX, "The ", 30)
        assert text.startswith("The ") and len(text) <= 34
        assert rnn.training  # mode left as it was
        assert gen.generate(rnn, emb, rnn.decode, tl.EOS_IX, "The ", 30) == text


# --------------------------------------------------------------------------- Q6 beam search


def test_beam_of_one_is_greedy(ns, gen, tl):
    for probs in (STRAIGHT, TRAP, LOOP):
        model = MarkovModel(probs)
        for start, maxlen in (("", 6), ("b", 3), ("a", 0)):
            greedy = gen.generate(model, model.emb, model.decoder, EOS, start, maxlen)
            assert (
                gen.generate_beam(model, model.emb, model.decoder, EOS, 1, start, maxlen) == greedy
            )
    torch.manual_seed(6)
    for cell in ("rnn", "gru", "lstm"):
        emb, rnn = ns["build_model"](cell, tl.VOCAB_SIZE, 8, 16)
        greedy = gen.generate(rnn, emb, rnn.decode, tl.EOS_IX, "The ", 25)
        assert gen.generate_beam(rnn, emb, rnn.decode, tl.EOS_IX, 1, "The ", 25) == greedy


def test_beam_finds_the_exhaustive_optimum_where_greedy_fails(gen):
    model = MarkovModel(TRAP)
    maxlen = 4
    best_score, best_seq = exhaustive_best(model, maxlen)
    greedy = gen.generate(model, model.emb, model.decoder, EOS, "", maxlen)
    assert greedy == "aaaa" and letters(best_seq) == "b"
    model.steps = 0
    beam = gen.generate_beam(model, model.emb, model.decoder, EOS, 2, "", maxlen)
    assert beam == letters(best_seq)
    assert model.steps <= maxlen  # one batched step for the whole beam
    beam_score = model.logp([A + "abc".index(c) for c in beam], ended=len(beam) < maxlen)
    assert beam_score == pytest.approx(best_score) and beam_score >= model.logp(
        [A] * maxlen, ended=False
    )
    assert gen.generate_beam(model, model.emb, model.decoder, EOS, 3, "b", maxlen) == "b"


# --------------------------------------------------------------------------- Q7 nucleus


def nucleus_by_hand(probs, alpha):
    """Smallest top set reaching alpha (crossing symbol included), renormalised; float64 loop."""
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    kept, mass = [], 0.0
    for i in order:
        kept.append(i)
        mass += probs[i]
        if mass >= alpha:
            break
    return [probs[i] / mass if i in kept else 0.0 for i in range(len(probs))]


def test_p_nucleus_support_values_and_limits(gen):
    identity = lambda h: h  # h are the logits themselves
    torch.manual_seed(7)
    logits = torch.randn(6, 9, dtype=torch.float64) * 2
    probs = torch.softmax(logits, -1)
    for alpha in (0.3, 0.5, 0.8, 0.95):
        q = gen.p_nucleus(identity, alpha)(logits)
        assert q.shape == (6, 9)
        expected = torch.tensor(
            [nucleus_by_hand(row, alpha) for row in probs.tolist()], dtype=torch.float64
        )
        assert torch.equal(q > 0, expected > 0)
        torch.testing.assert_close(q, expected)
    # The symbol that crosses alpha is in the set.
    small = torch.log(torch.tensor([[0.5, 0.3, 0.2]], dtype=torch.float64))
    assert (gen.p_nucleus(identity, 0.75)(small) > 0).tolist() == [[True, True, False]]
    assert (gen.p_nucleus(identity, 0.81)(small) > 0).tolist() == [[True, True, True]]
    # alpha = 1: the full softmax; top probability >= alpha: one-hot.
    torch.testing.assert_close(gen.p_nucleus(identity, 1.0)(logits), probs)
    assert (gen.p_nucleus(identity, 1.0)(logits) > 0).all()
    peaked = torch.log(torch.tensor([[0.05, 0.9, 0.05]], dtype=torch.float64))
    top = torch.softmax(peaked, -1).max().item()
    assert gen.p_nucleus(identity, top)(peaked).tolist() == [[0.0, 1.0, 0.0]]
    # Rows are independent: the batch equals its rows one by one.
    compute = gen.p_nucleus(identity, 0.7)
    torch.testing.assert_close(compute(logits), torch.cat([compute(row[None]) for row in logits]))


def test_p_nucleus_applies_the_decoder(gen):
    torch.manual_seed(8)
    decoder = nn.Linear(4, 6)
    h = torch.randn(3, 4)
    with torch.no_grad():
        q = gen.p_nucleus(decoder, 0.9)(h)
        expected = [
            nucleus_by_hand(row, 0.9) for row in torch.softmax(decoder(h).double(), -1).tolist()
        ]
    torch.testing.assert_close(
        q.double(), torch.tensor(expected, dtype=torch.float64), atol=1e-6, rtol=1e-5
    )


def test_nucleus_beam_emits_only_nucleus_symbols(gen):
    probs = chain(
        start=[0, 0.05, 0.4, 0.35, 0.2],
        after_a=[0, 0.15, 0.3, 0.3, 0.25],
        after_b=[0, 0.4, 0.35, 0.2, 0.05],
        after_c=[0, 0.5, 0.3, 0.15, 0.05],
    )
    model = MarkovModel(probs)
    for alpha in (0.5, 0.7, 0.9):
        compute = gen.p_nucleus(model.decoder, alpha)
        nucleus = compute(torch.eye(V + 1, dtype=torch.float64))  # row = previous symbol
        # k=1 keeps every draw; k=3 also exercises the global selection.
        for k, seed in itertools.product((1, 3), range(15)):
            torch.manual_seed(seed)
            text = gen.generate_beam_nucleus(model, model.emb, model.decoder, EOS, k, alpha, "", 8)
            prev = V
            for c in text:
                code = A + "abc".index(c)
                assert nucleus[prev, code] > 0, (alpha, seed, text)
                prev = code
        torch.manual_seed(4)
        again = gen.generate_beam_nucleus(model, model.emb, model.decoder, EOS, 3, alpha, "", 8)
        torch.manual_seed(4)
        assert (
            gen.generate_beam_nucleus(model, model.emb, model.decoder, EOS, 3, alpha, "", 8)
            == again
        )
    # A nucleus of one symbol leaves no choice: the greedy path.
    straight = MarkovModel(STRAIGHT)
    assert (
        gen.generate_beam_nucleus(straight, straight.emb, straight.decoder, EOS, 4, 0.5, "", 10)
        == "abc"
    )


# --------------------------------------------------------------------------- smoke trainings


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_models_learn_on_the_bundled_sample(ns, tl, cell):
    import coursedata

    corpus = coursedata.load_speeches(sample=True, quiet=True)
    ds = tl.TextDataset(corpus.text, maxlen=40, maxsent=256)
    generator = torch.Generator().manual_seed(0)
    loader = torch.utils.data.DataLoader(
        ds, batch_size=32, shuffle=True, collate_fn=tl.pad_collate_fn, generator=generator
    )
    torch.manual_seed(0)
    emb, rnn = ns["build_model"](cell, tl.VOCAB_SIZE, 16, 48)
    params = list(emb.parameters()) + list(rnn.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-2)
    losses = []
    with one_thread():
        for _ in range(3):
            for batch in loader:
                loss = ns["maskedCrossEntropy"](
                    rnn.decode(rnn(emb(batch[:-1]))), batch[1:], tl.PAD_IX
                )
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                losses.append(loss.item())
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert first > math.log(tl.VOCAB_SIZE) - 0.5  # starts near the uniform guess
    assert last < first - 1.0, losses


# --------------------------------------------------------------------------- template


def test_template_imports_and_names_what_is_missing(tmp_path):
    """The untouched template runs its gradable cells; each function raises NotImplementedError(name)."""
    build_template(load_assignment(ASSIGNMENT), tmp_path)
    script = textwrap.dedent(f"""
        import json, os, sys, nbformat, torch
        os.chdir({str(tmp_path)!r}); sys.path.insert(0, os.getcwd())
        nb = nbformat.read({ASSIGNMENT + ".ipynb"!r}, as_version=4)
        ns = {{"__name__": "student"}}
        for cell in nb.cells:
            if cell.cell_type == "code" and {SKIP_TAG!r} not in cell.metadata.get("tags", []):
                exec(cell.source, ns)
        import textloader, generate
        calls = {{
            "pad_collate_fn": lambda: textloader.pad_collate_fn([torch.tensor([2])]),
            "maskedCrossEntropy": lambda: ns["maskedCrossEntropy"](torch.zeros(1, 1, 3), torch.zeros(1, 1, dtype=torch.long), 0),
            "RNN.__init__": lambda: ns["RNN"](2, 3, 4),
            "GRU.__init__": lambda: ns["GRU"](2, 3, 4),
            "LSTM.__init__": lambda: ns["LSTM"](2, 3, 4),
            "build_model": lambda: ns["build_model"]("rnn", 97, 2, 3),
            "generate": lambda: generate.generate(None, None, None, 1),
            "generate_beam": lambda: generate.generate_beam(None, None, None, 1, 2),
            "p_nucleus.compute": lambda: generate.p_nucleus(None, 0.9)(torch.zeros(1, 2)),
            "generate_beam_nucleus": lambda: generate.generate_beam_nucleus(None, None, None, 1, 2, 0.9),
        }}
        raised = {{}}
        for name, call in calls.items():
            try:
                call()
                raised[name] = None
            except NotImplementedError as err:
                raised[name] = str(err)
        print(json.dumps(raised))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    raised = json.loads(done.stdout.strip().splitlines()[-1])
    assert raised == {name: name for name in raised}


# --------------------------------------------------------------------------- grader-side helpers

K = load_module(ROOT / "assignments" / ASSIGNMENT / "tests" / "tp4_checks.py", "rnnkit_tp4_checks")


def test_every_lstm_layout_is_read():
    """Fused gates in any order, separate input/hidden layers, transposed raw parameters."""
    H, D, V = 5, 3, 7
    shapes = {
        "W_ih": (4 * H, D),
        "W_hh": (4 * H, H),
        "b": (4 * H,),
        "decoder.weight": (V, H),
        "decoder.bias": (V,),
    }
    found = K.readings(shapes, D, H, V, ("i", "f", "g", "o"))
    # every gate order of both matrices; the fused bias follows one of them (one option when they agree)
    assert len(found) == 24 * 24 * 2 - 24
    shapes = {f"W_{g}.weight": (H, H + D) for g in "ifco"} | {f"W_{g}.bias": (H,) for g in "ifco"}
    assert len(K.readings(shapes, D, H, V, ("i", "f", "g", "o"))) == 24 * 2**4
    shapes = {
        "Wz": (H + D, H),
        "bz": (H,),
        "Wr": (H + D, H),
        "br": (H,),
        "Wn": (H + D, H),
        "bn": (H,),
    }
    assert (
        len(K.readings(shapes, D, H, V, ("z", "r", "n"))) == 6 * 2**3
    )  # raw weights used as x @ W


def test_table_model_answers():
    E = K.EOS_TOKEN
    table = K.make_table(
        {
            "": {"a": 0.5, "b": 0.4, E: 0.1},
            "a": {"c": 0.36, "d": 0.34, "e": 0.3},
            "b": {"f": 0.9, E: 0.1},
        },
        {E: 1.0},
    )
    assert table.greedy("", 10)[0] == "ac"
    score, text, finished = table.exhaustive("", 10)[0]
    assert (text, finished) == ("bf", True)
    assert score == pytest.approx(table.score_of("", "bf", 10))
    probs = K.nucleus_probs(torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log(), 0.7)
    assert torch.allclose(probs, torch.tensor([[0.625, 0.375, 0.0, 0.0]], dtype=torch.float64))
