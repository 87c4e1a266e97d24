"""The tp3-rnn reference: RNN against torch.nn.RNN, the course datasets, text tools, generation.

Every check compares with a computation written here independently of the reference, so a
wrong reference fails; the smoke trainings show each model learning in a few seconds.
"""

import importlib.util
import string
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset

from autograder.coursedata import generate_metro, load_speeches
from autograder.reference import reference_namespace

T = 73


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    # Another assignment's tests may have imported their own `utils`: make the notebook import ours.
    sys.modules.pop("utils", None)
    folder = tmp_path_factory.mktemp("tp3-rnn")
    namespace = reference_namespace("tp3-rnn", folder)
    spec = importlib.util.spec_from_file_location("tp3_rnn_utils", folder / "utils.py")
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    namespace["utils"] = utils
    sys.modules.pop("utils", None)
    # Tiny matrices: one thread is faster, and two threads on a busy 2-core machine crawl.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield namespace
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def metro():
    return generate_metro(n_train_days=2, n_test_days=1, n_stations=10)


def make_rnn(ns, dim, latent, output, dtype=torch.float32, seed=0):
    torch.manual_seed(seed)
    return ns["RNN"](dim, latent, output).to(dtype)


# --- Q1: the RNN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "L,B,D,H,O", [(1, 1, 1, 1, 1), (5, 3, 2, 8, 10), (12, 1, 4, 3, 2), (1, 7, 3, 16, 96)]
)
def test_rnn_shapes(ns, L, B, D, H, O):
    rnn = make_rnn(ns, D, H, O)
    x = torch.randn(L, B, D)
    states = rnn(x)
    assert states.shape == (L, B, H)
    assert rnn.one_step(x[0], torch.zeros(B, H)).shape == (B, H)
    assert rnn.decode(states[-1]).shape == (B, O)
    assert rnn.decode(states).shape == (L, B, O)
    assert rnn.init_state(B).shape == (B, H) and not rnn.init_state(B).any()


def test_forward_is_one_step_iterated_and_starts_from_zero(ns):
    rnn = make_rnn(ns, 3, 6, 2, torch.float64)
    x, h0 = torch.randn(9, 4, 3, dtype=torch.float64), torch.randn(4, 6, dtype=torch.float64)
    h, expected = h0, []
    for t in range(9):
        h = rnn.one_step(x[t], h)
        expected.append(h)
    torch.testing.assert_close(rnn(x, h0), torch.stack(expected))
    torch.testing.assert_close(rnn(x), rnn(x, torch.zeros(4, 6, dtype=torch.float64)))
    assert not torch.allclose(rnn(x), rnn(x, h0))  # the given state is really used


def copy_to_torch_rnn(rnn, D, H):
    """torch.nn.RNN with the reference's weights: W_i, b into the input part, W_h into the hidden."""
    ref = nn.RNN(D, H, nonlinearity="tanh").double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(rnn.input2hidden.weight)
        ref.bias_ih_l0.copy_(rnn.input2hidden.bias)
        ref.weight_hh_l0.copy_(rnn.hidden2hidden.weight)
        ref.bias_hh_l0.zero_()
    return ref


@pytest.mark.parametrize("L,B,D,H", [(1, 1, 2, 3), (15, 4, 3, 7)])
def test_rnn_matches_torch_rnn_values_and_gradients(ns, L, B, D, H):
    rnn = make_rnn(ns, D, H, 2, torch.float64)
    ref = copy_to_torch_rnn(rnn, D, H)
    x = torch.randn(L, B, D, dtype=torch.float64)
    h0 = torch.randn(B, H, dtype=torch.float64)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours = rnn(x1, h0)
    theirs, last = ref(x2, h0.unsqueeze(0))
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(ours[-1], last[0])
    weights = torch.randn(L, B, H, dtype=torch.float64)  # a loss that weighs every step
    (ours * weights).sum().backward()
    (theirs * weights).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)
    torch.testing.assert_close(rnn.input2hidden.weight.grad, ref.weight_ih_l0.grad)
    torch.testing.assert_close(rnn.input2hidden.bias.grad, ref.bias_ih_l0.grad)
    torch.testing.assert_close(rnn.hidden2hidden.weight.grad, ref.weight_hh_l0.grad)


def test_decode_is_linear_raw_scores(ns):
    rnn = make_rnn(ns, 2, 5, 4, torch.float64)
    h = torch.randn(3, 5, dtype=torch.float64)
    lin = rnn.hidden2output
    torch.testing.assert_close(rnn.decode(h), h @ lin.weight.T + lin.bias)
    scores = rnn.decode(torch.randn(50, 5, dtype=torch.float64))
    assert (scores < 0).any()  # no softmax or sigmoid
    assert not torch.allclose(scores.sum(1), torch.ones(50, dtype=torch.float64))


def test_init_state_follows_model_dtype(ns):
    assert make_rnn(ns, 2, 3, 1, torch.float64).init_state(4).dtype == torch.float64
    rnn = make_rnn(ns, 2, 3, 1, torch.float64)
    assert rnn(torch.randn(4, 2, 2, dtype=torch.float64)).dtype == torch.float64


# --- Q2: classification ----------------------------------------------------------------------


def test_classify_decodes_the_last_state(ns):
    rnn = make_rnn(ns, 2, 4, 3, torch.float64)
    x = torch.randn(6, 5, 2, dtype=torch.float64)
    W_i, b, W_h = rnn.input2hidden.weight, rnn.input2hidden.bias, rnn.hidden2hidden.weight
    h = torch.zeros(5, 4, dtype=torch.float64)
    for x_t in x:
        h = torch.tanh(x_t @ W_i.T + b + h @ W_h.T)
    expected = h @ rnn.hidden2output.weight.T + rnn.hidden2output.bias
    torch.testing.assert_close(ns["classify"](rnn, x), expected)


def test_evaluate_classifier_counts_loss_and_accuracy(ns):
    torch.manual_seed(0)
    rnn = make_rnn(ns, 1, 4, 3)
    xs, ys = torch.randn(10, 7, 1), torch.randint(0, 3, (10,))  # batch-first, as a DataLoader gives
    loss, acc = ns["evaluate_classifier"](rnn, DataLoader(list(zip(xs, ys)), batch_size=4))
    with torch.no_grad():
        scores = ns["classify"](rnn, xs.transpose(0, 1))
    assert loss == pytest.approx(F.cross_entropy(scores, ys).item(), rel=1e-5)
    assert acc == pytest.approx((scores.argmax(1) == ys).float().mean().item())


# --- Datasets (utils.py) ---------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2])
def test_sample_dataset_follows_the_course_formulas(ns, metro, dim):
    train, test = metro[0][..., :dim], metro[1][..., :dim]
    D, S, L = train.shape[0], train.shape[2], 12
    ds = ns["SampleMetroDataset"](train, length=L)
    maxima = train.amax(dim=(0, 1))  # (S, dim)
    torch.testing.assert_close(ds.stations_max, maxima)
    assert len(ds) == S * D * (T - L)
    for i in (0, 1, D, D * (T - L) - 1, D * (T - L), len(ds) - 1, 777):
        station, rest = i // (D * (T - L)), i % (D * (T - L))
        t, day = rest // D, rest % D
        x, label = ds[i]
        assert label == station
        assert x.shape == (L, dim)
        torch.testing.assert_close(x, train[day, t : t + L, station] / maxima[station])
    assert max(float(ds[i][0].max()) for i in range(0, len(ds), 7)) <= 1.0
    # The test set is divided by the train maxima, not its own.
    ds_test = ns["SampleMetroDataset"](test, length=L, stations_max=ds.stations_max)
    assert len(ds_test) == S * test.shape[0] * (T - L)
    x, label = ds_test[5 * test.shape[0] * (T - L) + 3]
    torch.testing.assert_close(x, test[0, 3 : 3 + L, 5] / maxima[5])
    assert label == 5


@pytest.mark.parametrize("dim", [1, 2])
def test_forecast_dataset_follows_the_course_formulas(ns, metro, dim):
    train, test = metro[0][..., :dim], metro[1][..., :dim]
    D, S, L = train.shape[0], train.shape[2], 20
    ds = ns["ForecastMetroDataset"](train, length=L)
    maxima = train.amax(dim=(0, 1))
    torch.testing.assert_close(ds.stations_max, maxima)
    assert len(ds) == D * (T - L)
    for i in (0, 1, 2, 57, len(ds) - 1):
        t, day = i // D, i % D
        x, y = ds[i]
        assert x.shape == y.shape == (L - 1, S, dim)
        torch.testing.assert_close(x, train[day, t : t + L - 1] / maxima)
        torch.testing.assert_close(y, train[day, t + 1 : t + L] / maxima)
    ds_test = ns["ForecastMetroDataset"](test, length=L, stations_max=ds.stations_max)
    assert len(ds_test) == test.shape[0] * (T - L)
    torch.testing.assert_close(ds_test[4][0], test[0, 4 : 4 + L - 1] / maxima)


# --- Q3: forecasting ---------------------------------------------------------------------------


def test_stations_as_batch_layout(ns):
    x = torch.randn(3, 5, 4, 2)  # (B, L, S, D)
    out = ns["stations_as_batch"](x)
    assert out.shape == (5, 12, 2)
    for b in range(3):
        for s in range(4):
            torch.testing.assert_close(out[:, b * 4 + s], x[b, :, s])


def test_forecast_rolls_predictions_forward(ns):
    rnn = make_rnn(ns, 2, 6, 2, torch.float64)
    x = torch.randn(7, 5, 2, dtype=torch.float64)
    with torch.no_grad():
        out = ns["forecast"](rnn, x, 3)
        assert out.shape == (3, 5, 2)
        h = rnn(x)[-1]
        expected = []
        for _ in range(3):
            y = rnn.decode(h)
            expected.append(y)
            h = torch.tanh(
                y @ rnn.input2hidden.weight.T
                + rnn.input2hidden.bias
                + h @ rnn.hidden2hidden.weight.T
            )
        torch.testing.assert_close(out, torch.stack(expected))
        torch.testing.assert_close(ns["forecast"](rnn, x, 1)[0], rnn.decode(rnn(x)[-1]))


def test_horizon_mse_against_a_direct_computation(ns, metro):
    train, test = metro[0], metro[1]
    context, horizon = 6, 2
    ds_train = ns["ForecastMetroDataset"](train, length=10)
    ds = ns["ForecastMetroDataset"](
        test, length=context + horizon, stations_max=ds_train.stations_max
    )
    rnn = make_rnn(ns, 2, 5, 2)
    got_model, got_persistence = ns["horizon_mse"](
        rnn, DataLoader(ds, batch_size=16), context, horizon
    )
    assert got_model.shape == got_persistence.shape == (horizon,)
    normalised = test / ds_train.stations_max  # (D, T, S, 2)
    se_model, se_last = torch.zeros(horizon), torch.zeros(horizon)
    n = 0
    with torch.no_grad():
        for day in range(test.shape[0]):
            for t in range(T - context - horizon):
                window = normalised[day, t : t + context + horizon]  # (context+horizon, S, 2)
                pred = ns["forecast"](rnn, window[:context], horizon)
                for k in range(horizon):
                    se_model[k] += ((pred[k] - window[context + k]) ** 2).sum()
                    se_last[k] += ((window[context - 1] - window[context + k]) ** 2).sum()
                n += window[0].numel()
    torch.testing.assert_close(got_model, se_model / n, rtol=1e-4, atol=1e-7)
    torch.testing.assert_close(got_persistence, se_last / n, rtol=1e-4, atol=1e-7)
    assert got_persistence[1] > got_persistence[0]  # further is harder


# --- Text tools (utils.py) ---------------------------------------------------------------------


def test_vocabulary_and_normalize(ns):
    u = ns["utils"]
    assert u.LETTRES == string.ascii_letters + string.punctuation + string.digits + " "
    assert u.VOCAB_SIZE == 96 and u.id2lettre[0] == ""
    assert sorted(u.id2lettre) == list(range(96))
    assert {u.lettre2id[c] for c in u.LETTRES} == set(range(1, 96))
    assert u.normalize("Élève à l'école — 5 €\n\tça?") == "Eleve a l'ecole  5 ca?"
    assert u.normalize("naïve Noël") == "naive Noel"


def test_string2code_round_trip(ns):
    u = ns["utils"]
    text = "Hello, World! 2019 ~ {x}"
    codes = u.string2code(text)
    assert codes.dtype == torch.long and codes.shape == (len(text),)
    assert codes.min() >= 1 and codes.max() <= 95
    assert u.code2string(codes) == text
    assert u.code2string(codes.tolist()) == text
    assert u.code2string(torch.tensor([0, 0] + codes.tolist())) == text  # null writes nothing
    assert u.code2string(u.string2code("Éa")) == "Ea"


def test_speech_dataset_left_pads_and_shifts(ns):
    u = ns["utils"]
    ds = u.SpeechDataset("Ab.  Hello   world . . Été fini")
    assert ds.sentences == ["Ab.", "Hello world.", "Ete fini."]
    assert len(ds) == 3 and ds.maxlen == 12
    x, y = ds[0]
    full = torch.tensor([0] * 9 + [u.lettre2id[c] for c in "Ab."])
    assert x.dtype == y.dtype == torch.long
    torch.testing.assert_close(x, full[:-1])
    torch.testing.assert_close(y, full[1:])
    assert all(ds[i][0].shape == (11,) for i in range(3))
    short = u.SpeechDataset("Ab.  Hello   world . . Été fini", maxlen=4, maxsent=2)
    assert short.sentences == ["Ab.", "Hell"] and short.maxlen == 4


# --- Q4: embedding and generation ---------------------------------------------------------------


def test_one_hot_linear_equals_linear_on_one_hot(ns):
    torch.manual_seed(0)
    emb = ns["OneHotLinear"](96, 7)
    lin = nn.Linear(96, 7)
    emb.linear.load_state_dict(lin.state_dict())
    x = torch.randint(0, 96, (5, 3))
    out = emb(x)
    assert out.shape == (5, 3, 7)
    torch.testing.assert_close(out, lin(F.one_hot(x, 96).float()))
    torch.testing.assert_close(out[2, 1], lin.weight[:, x[2, 1]] + lin.bias)


@pytest.fixture()
def char_model(ns):
    torch.manual_seed(3)
    return ns["RNN"](8, 16, 96), ns["OneHotLinear"](96, 8)


def test_generate_fixed_length_and_determinism(ns, char_model):
    rnn, emb = char_model
    gen = ns["generate_fixed"]
    for start in ("", "The ", "a"):
        out = gen(rnn, emb, start, 25)
        assert isinstance(out, str) and len(out) == len(start) + 25 and out.startswith(start)
        assert out == gen(rnn, emb, start, 25)  # greedy is deterministic
        assert len(gen(rnn, emb, start, 25, sample=True)) == len(start) + 25
    assert gen(rnn, emb, "abc", 0) == "abc"


def test_generate_fixed_greedy_follows_the_model(ns, char_model):
    rnn, emb = char_model
    u = ns["utils"]
    with torch.no_grad():
        # Empty start: the first symbol comes from the zero state.
        scores = rnn.decode(torch.zeros(1, 16))[0]
        scores[0] = -float("inf")
        first = u.id2lettre[int(scores.argmax())]
        assert ns["generate_fixed"](rnn, emb, "", 1) == first
        # With a start, from the state after reading it; then that symbol is fed back.
        h = rnn(emb(u.string2code("Yes").view(-1, 1)))[-1]
        scores = rnn.decode(h)[0]
        scores[0] = -float("inf")
        c1 = int(scores.argmax())
        h = rnn.one_step(emb(torch.tensor([[c1]]))[0], h)
        scores = rnn.decode(h)[0]
        scores[0] = -float("inf")
        c2 = int(scores.argmax())
    assert ns["generate_fixed"](rnn, emb, "Yes", 2) == "Yes" + u.id2lettre[c1] + u.id2lettre[c2]


def test_generate_fixed_never_writes_the_null_symbol(ns, char_model):
    rnn, emb = char_model
    with torch.no_grad():
        rnn.hidden2output.bias[0] = 50.0  # the model "wants" the null symbol everywhere
    torch.manual_seed(0)
    assert len(ns["generate_fixed"](rnn, emb, "", 30, sample=True)) == 30
    assert len(ns["generate_fixed"](rnn, emb, "x", 30)) == 31


def test_generate_fixed_sampling_follows_the_softmax(ns, char_model):
    rnn, emb = char_model
    with torch.no_grad():
        rnn.hidden2output.bias[1:] = -30.0
        rnn.hidden2output.bias[5] = 0.0
        rnn.hidden2output.bias[9] = 0.0  # two equally likely symbols, the rest negligible
    torch.manual_seed(0)
    outs = [ns["generate_fixed"](rnn, emb, "", 1, sample=True) for _ in range(40)]
    u = ns["utils"]
    assert set(outs) == {u.id2lettre[5], u.id2lettre[9]}


# --- Smoke trainings ---------------------------------------------------------------------------


def test_classifier_learns_on_tiny_metro_data(ns, metro):
    torch.manual_seed(0)
    train = metro[0][:, :, :4, :2]
    ds = ns["SampleMetroDataset"](train, length=10)
    ds = Subset(ds, torch.randperm(len(ds))[:256].tolist())
    loader = DataLoader(ds, batch_size=32, shuffle=True)
    model = ns["RNN"](2, 16, 4)
    before, _ = ns["evaluate_classifier"](model, loader)
    history = ns["train_classifier"](model, loader, loader, epochs=8, lr=1e-2)
    after, acc = ns["evaluate_classifier"](model, loader)
    assert len(history["train_loss"]) == 8 and history["test_acc"][-1] == pytest.approx(acc)
    assert after < 0.7 * before
    assert acc > 0.5  # chance is 0.25


def test_forecaster_learns_on_tiny_metro_data(ns, metro):
    torch.manual_seed(0)
    ds = ns["ForecastMetroDataset"](metro[0][..., :1], length=12)
    losses = ns["train_forecaster"](
        ns["RNN"](1, 8, 1), DataLoader(ds, batch_size=8, shuffle=True), epochs=4, lr=1e-2
    )
    assert len(losses) == 4
    assert losses[-1] < 0.5 * losses[0]


def test_char_model_learns_on_the_bundled_sample(ns):
    torch.manual_seed(0)
    text = load_speeches(sample=True, quiet=True).text
    ds = ns["utils"].SpeechDataset(text, maxlen=30, maxsent=320)
    emb, rnn = ns["OneHotLinear"](96, 16), ns["RNN"](16, 64, 96)
    params = [*emb.parameters(), *rnn.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for _ in range(3):
        for x, y in DataLoader(ds, batch_size=32, shuffle=True):
            x, y = x.t(), y.t()
            loss = F.cross_entropy(
                rnn.decode(rnn(emb(x))).flatten(0, 1), y.flatten(), ignore_index=0
            )
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            losses.append(loss.item())
    assert losses[0] > 4.0  # about ln 96 = 4.56 at the start
    assert sum(losses[-5:]) / 5 < 3.2
