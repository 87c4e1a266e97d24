"""The worker's adapter (``autograder.sandbox.adapt``): student models built and driven the way they ask.

Each model below is written the way past students wrote it (course-facts §4), not against the kit's
API; the adapter must give the kit's protocol with the same values as the student's own calls, and
say which conventions it met. A model that cannot fit any convention must not be made to fit.
"""

import pytest
import torch
from torch import nn

from autograder.sandbox.adapt import Adapted, adapted_model, call_variants, construct, conventions

D, H, O = 3, 5, 7
DIMS = {"dim": D, "latent": H, "output": O}


class LstmCourse(nn.Module):
    """LSTM(latent, dim, output, device): one_step(x, h, c) -> (h, c); forward(x, h, c) -> (outputs, (h, c))."""

    def __init__(self, latent, dim, output, device):
        super().__init__()
        self.gates = nn.Linear(dim + latent, 4 * latent)
        self.dec = nn.Linear(latent, output)

    def one_step(self, x, h, c):
        f, i, g, o = self.gates(torch.cat([x, h], 1)).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    def forward(self, x, h, c):
        outs = []
        for x_t in x:
            h, c = self.one_step(x_t, h, c)
            outs.append(h)
        return torch.stack(outs), (h, c)

    def decode(self, h):
        return self.dec(h)


class LstmCellFirst(LstmCourse):
    """The state written (c, h) in and out: one_step(x, c, h) -> (c, h)."""

    def one_step(self, x, c, h):
        h, c = super().one_step(x, h, c)
        return c, h

    def forward(self, x, c, h):
        outs = []
        for x_t in x:
            c, h = self.one_step(x_t, c, h)
            outs.append(h)
        return torch.stack(outs)


class GruBatchFirst(nn.Module):
    """GRU(input_size, hidden_size, output_size), batch-first forward(x, h=None), decoder attribute."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.zr = nn.Linear(input_size + hidden_size, 2 * hidden_size)
        self.n = nn.Linear(input_size + hidden_size, hidden_size)
        self.decoder = nn.Linear(hidden_size, output_size)

    def one_step(self, x, h):
        z, r = torch.sigmoid(self.zr(torch.cat([h, x], 1))).chunk(2, 1)
        return (1 - z) * h + z * torch.tanh(self.n(torch.cat([r * h, x], 1)))

    def forward(self, x, h=None):
        h = torch.zeros(x.shape[0], self.hidden_size) if h is None else h
        outs = []
        for t in range(x.shape[1]):
            h = self.one_step(x[:, t], h)
            outs.append(h)
        return torch.stack(outs, 1)


class RnnStepNamedCell(nn.Module):
    """RNN(dim, latent, output, length) with a required extra argument; the step is called ``cell``."""

    def __init__(self, dim, latent, output, length):
        super().__init__()
        self.i2h, self.h2h, self.h2o = (
            nn.Linear(dim, latent),
            nn.Linear(latent, latent),
            nn.Linear(latent, output),
        )

    def cell(self, x, h):
        return torch.tanh(self.i2h(x) + self.h2h(h))

    def forward(self, x, h):
        outs = []
        for x_t in x:
            h = self.cell(x_t, h)
            outs.append(h)
        return outs


def _unrolled(model, x, state):
    outs = []
    for x_t in x:
        state = model.one_step(x_t, state)
        outs.append(model.hidden(state))
    return torch.stack(outs)


@pytest.mark.parametrize(
    "cls, kind",
    [
        (LstmCourse, "lstm"),
        (LstmCellFirst, "lstm"),
        (GruBatchFirst, "gru"),
        (RnnStepNamedCell, "rnn"),
    ],
)
def test_any_convention_gives_the_kit_protocol_with_the_students_values(cls, kind):
    torch.manual_seed(0)
    model = adapted_model(cls, kind, DIMS)
    x = torch.randn(6, 4, D)
    state = model.init_state(4)
    if kind == "lstm":
        state = (0.3 * torch.randn(4, H), 0.3 * torch.randn(4, H))
    else:
        state = 0.3 * torch.randn(4, H)
    out = model(x, state)
    assert out.shape == (6, 4, H)
    assert torch.allclose(out, _unrolled(model, x, state), atol=1e-6)
    assert model(x).shape == (
        6,
        4,
        H,
    )  # from the zero state, whatever the student's forward requires
    assert model.decode(out).shape == (6, 4, O)
    inner_names = [n for n, _ in model.inner.named_parameters()]
    assert [
        n for n, _ in model.named_parameters()
    ] == inner_names  # the student's own names, no prefix


def test_lstm_state_order_follows_the_students_signature():
    torch.manual_seed(1)
    model = adapted_model(LstmCellFirst, "lstm", DIMS)
    x, h, c = torch.randn(2, D), torch.randn(2, H), torch.randn(2, H)
    want_c, want_h = model.inner.one_step(x, c, h)
    got_h, got_c = model.one_step(x, (h, c))
    assert torch.equal(got_h, want_h) and torch.equal(got_c, want_c)


def test_conventions_are_reported_for_the_grader_to_price():
    met = conventions(adapted_model(LstmCourse, "lstm", DIMS))
    assert met["constructor"].startswith("LstmCourse(") and "device=" in met["constructor"]
    assert met["forward_returns"] == "tuple" and met.get("forward_requires_state")
    assert conventions(adapted_model(GruBatchFirst, "gru", DIMS)).get("batch_first") is True
    assert not conventions(adapted_model(GruBatchFirst, "gru", DIMS)).get("forward_requires_state")


def test_a_recurrent_model_without_recurrence_is_not_read_as_batch_first():
    class NoMemory(GruBatchFirst):
        def forward(self, x, h=None):  # seq-first, but each step from zeros: a bug, not a layout
            return torch.stack(
                [self.one_step(x_t, torch.zeros(x.shape[1], self.hidden_size)) for x_t in x]
            )

    assert not conventions(adapted_model(NoMemory, "gru", DIMS)).get("batch_first")


def test_constructor_found_by_names_and_by_order_only_when_shapes_fit():
    class NamesOnly(nn.Module):
        def __init__(self, n_classes, hidden_dim, input_dim, device="cpu"):
            super().__init__()
            self.i, self.h, self.o = (
                nn.Linear(input_dim, hidden_dim),
                nn.Linear(hidden_dim, hidden_dim),
                nn.Linear(hidden_dim, n_classes),
            )

        def one_step(self, x, h):
            return torch.tanh(self.i(x) + self.h(h))

        def decode(self, h):
            return self.o(h)

    model = construct(NamesOnly, DIMS)
    assert (model.i.in_features, model.i.out_features, model.o.out_features) == (D, H, O)

    class Unfit(
        nn.Module
    ):  # builds with any sizes but no step ever fits: returned as built, not forced
        def __init__(self, a, b, c):
            super().__init__()
            self.w = nn.Linear(a, 2)

    built = construct(Unfit, DIMS)
    assert built.w.in_features == D and not Adapted(built, "rnn", DIMS).fits


def test_the_mode_keyword_is_said_in_the_students_words():
    def sampling(rnn, emb, start, n, *, sampling=False, temperature=0.7):
        return None

    def argmax(rnn, emb, start, n, argmax=True):
        return None

    def plain(rnn, emb, start, n):
        return None

    assert call_variants(sampling, [1], {"sample": True}, False) == [
        ([1], {"temperature": 1.0, "sampling": True})
    ]
    assert call_variants(argmax, [], {"sample": True}, False) == [([], {"argmax": False})]
    assert call_variants(argmax, [], {"sample": False}, False) == [([], {"argmax": True})]
    assert call_variants(plain, [], {"sample": True}, False) == [
        ([], {})
    ]  # its default is what it does
