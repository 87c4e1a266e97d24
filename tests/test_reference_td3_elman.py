"""Reference of td3-elman: myRNN, the forward-mode Jacobian and BPTT, checked against independent computations."""

import pytest
import torch
import torch.nn.functional as F

from autograder.reference import reference_namespace


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return reference_namespace("td3-elman", tmp_path_factory.mktemp("td3-elman"))


def manual_forward(model, x):
    """The course equations in float64 with the reference's parameters (U, W, V as nn.Linear)."""
    U, b_h = model.U.weight.double(), model.U.bias.double()
    W = model.W.weight.double()
    V, b_y = model.V.weight.double(), model.V.bias.double()
    x = x.double()
    h = torch.zeros(x.shape[1], U.shape[0], dtype=torch.float64)
    for t in range(x.shape[0]):
        h = torch.clamp(x[t] @ U.T + h @ W.T + b_h, min=0.0)
    scores = h @ V.T + b_y
    return torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)


def states_float64(U, W, x):
    """h_t = tanh(U x_t + W h_{t-1}) written independently of the notebook's elman_states."""
    hs, h = [], torch.zeros(U.shape[0], dtype=U.dtype)
    for t in range(x.shape[0]):
        h = torch.tanh(U @ x[t] + W @ h)
        hs.append(h)
    return torch.stack(hs)


def random_instance(T, H, d, seed):
    g = torch.Generator().manual_seed(seed)
    U = 0.6 * torch.randn(H, d, generator=g, dtype=torch.float64)
    W = 0.6 * torch.randn(H, H, generator=g, dtype=torch.float64)
    x = torch.randn(T, d, generator=g, dtype=torch.float64)
    grad_h = torch.randn(T, H, generator=g, dtype=torch.float64)
    return U, W, x, grad_h


SIZES = [(1, 3, 2), (1, 2, 5), (2, 4, 3), (3, 5, 4), (5, 3, 7), (8, 6, 2)]


# --- myRNN ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "T,B,d,H,C",
    [(13, 5, 7, 16, 3), (1, 1, 7, 16, 3), (1, 4, 2, 3, 5), (9, 1, 3, 8, 2), (4, 6, 1, 5, 4)],
)
def test_myrnn_returns_one_distribution_per_sequence(ns, T, B, d, H, C):
    torch.manual_seed(0)
    out = ns["myRNN"](d, H, C)(torch.randn(T, B, d))
    assert out.shape == (B, C)
    assert out.dtype == torch.float32
    assert (out >= 0).all()
    torch.testing.assert_close(out.sum(dim=1), torch.ones(B))


@pytest.mark.parametrize("T,B", [(13, 5), (1, 1), (4, 3)])
def test_myrnn_matches_the_equations_in_float64(ns, T, B):
    torch.manual_seed(1)
    model = ns["myRNN"](7, 6, 3)
    x = 2 * torch.randn(T, B, 7)
    torch.testing.assert_close(model(x).double(), manual_forward(model, x), rtol=1e-5, atol=1e-6)


def test_myrnn_uses_relu_not_tanh(ns):
    torch.manual_seed(2)
    model = ns["myRNN"](2, 3, 2)
    with torch.no_grad():
        model.U.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        model.U.bias.zero_()
        model.W.weight.zero_()
        model.V.weight.copy_(torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]))
        model.V.bias.zero_()
    x = torch.tensor([[[-3.0, 2.0]]])  # pre-activation (-3, 2, -1): ReLU gives h = (0, 2, 0)
    out = model(x)
    # score gap V h = 2 with ReLU; tanh would give tanh(-3) + tanh(2) + tanh(-1) < 0
    torch.testing.assert_close(out, torch.softmax(torch.tensor([[2.0, 0.0]]), dim=1))


def test_myrnn_decodes_only_the_last_state(ns):
    torch.manual_seed(3)
    model = ns["myRNN"](3, 4, 2)
    with torch.no_grad():
        model.W.weight.zero_()  # without recurrence h_T depends on x_T alone, so must the output
    x = torch.randn(5, 2, 3)
    other = torch.randn(5, 2, 3)
    other[-1] = x[-1]
    torch.testing.assert_close(model(x), model(other))
    torch.testing.assert_close(model(x), model(x[-1:]))


def test_myrnn_output_depends_on_the_order_of_the_inputs(ns):
    torch.manual_seed(4)
    model = ns["myRNN"](3, 8, 3)
    x = torch.randn(6, 2, 3)
    assert not torch.allclose(model(x), model(x.flip(0)))


def test_myrnn_gradient_reaches_every_parameter(ns):
    torch.manual_seed(5)
    model = ns["myRNN"](4, 5, 3)
    with torch.no_grad():
        model.U.bias.fill_(0.5)  # keep ReLUs active so that no gradient is zero by chance
    out = model(torch.randn(6, 8, 4))
    F.nll_loss(out.log(), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])).backward()
    names = {name for name, _ in model.named_parameters()}
    assert names == {"U.weight", "U.bias", "W.weight", "V.weight", "V.bias"}
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_myrnn_follows_the_dtype_of_its_input(ns):
    torch.manual_seed(6)
    model = ns["myRNN"](3, 4, 2).double()
    assert model(torch.randn(5, 2, 3, dtype=torch.float64)).dtype == torch.float64


@pytest.fixture
def one_thread():
    """Tiny matrices: on a busy 2-core machine a second thread only adds synchronisation cost."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_myrnn_smoke_training_lowers_the_loss(ns, one_thread):
    """Noisy sequences whose class shifts the mean of every step: a few Adam steps must learn it."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(3, (256,), generator=g)
    centers = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    x = centers[labels][None] * 0.5 + torch.randn(
        8, 256, 2, generator=g
    )  # (T, N, d), weak signal per step
    model = ns["myRNN"](2, 16, 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    def loss_now():
        with torch.no_grad():
            return F.nll_loss(model(x).clamp_min(1e-12).log(), labels).item()

    before = loss_now()
    for _ in range(40):
        loss = F.nll_loss(model(x).clamp_min(1e-12).log(), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = loss_now()
    accuracy = (model(x).argmax(1) == labels).float().mean().item()
    assert after < 0.6 * before, (before, after)
    assert accuracy > 0.7


# --- Exercise 3: states, Jacobian, BPTT ---------------------------------------------------------


@pytest.mark.parametrize("T,H,d", SIZES)
def test_given_elman_states_follow_the_recursion(ns, T, H, d):
    U, W, x, _ = random_instance(T, H, d, seed=T * 100 + H * 10 + d)
    torch.testing.assert_close(ns["elman_states"](U, W, x), states_float64(U, W, x))


@pytest.mark.parametrize("T,H,d", SIZES)
def test_jacobian_matches_autograd_in_float64(ns, T, H, d):
    U, W, x, _ = random_instance(T, H, d, seed=T * 100 + H * 10 + d)
    expected = torch.autograd.functional.jacobian(lambda u: states_float64(u, W, x), U)
    J = ns["jacobian_h_U"](U, W, x)
    assert J.shape == (T, H, H, d)
    assert J.dtype == torch.float64
    torch.testing.assert_close(J, expected, rtol=1e-10, atol=1e-12)


def test_jacobian_first_step_is_the_closed_form(ns):
    U, W, x, _ = random_instance(1, 3, 4, seed=7)
    h0 = torch.tanh(U @ x[0])
    expected = torch.zeros(3, 3, 4, dtype=torch.float64)
    for i in range(3):
        expected[i, i] = (1 - h0[i] ** 2) * x[0]
    torch.testing.assert_close(ns["jacobian_h_U"](U, W, x)[0], expected)


@pytest.mark.parametrize("T,H,d", SIZES)
def test_bptt_matches_autograd_of_the_weighted_states(ns, T, H, d):
    U, W, x, grad_h = random_instance(T, H, d, seed=T * 100 + H * 10 + d + 1)
    u = U.clone().requires_grad_(True)
    (grad_h * states_float64(u, W, x)).sum().backward()
    result = ns["bptt_grad_U"](U, W, x, grad_h)
    assert result.shape == (H, d)
    assert result.dtype == torch.float64
    torch.testing.assert_close(result, u.grad, rtol=1e-10, atol=1e-12)


def test_bptt_equals_the_jacobian_contracted_with_grad_h(ns):
    U, W, x, grad_h = random_instance(6, 4, 3, seed=11)
    J = ns["jacobian_h_U"](U, W, x)
    torch.testing.assert_close(
        ns["bptt_grad_U"](U, W, x, grad_h), torch.einsum("ti,tiab->ab", grad_h, J)
    )


def test_float32_inputs_give_float32_results(ns):
    U, W, x, grad_h = (t.float() for t in random_instance(4, 3, 2, seed=12))
    assert ns["jacobian_h_U"](U, W, x).dtype == torch.float32
    assert ns["bptt_grad_U"](U, W, x, grad_h).dtype == torch.float32


def test_jacobian_and_bptt_do_not_use_autograd(ns, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("automatic differentiation called")

    for owner, name in [
        (torch.autograd, "grad"),
        (torch.autograd, "backward"),
        (torch.Tensor, "backward"),
        (torch.autograd.functional, "jacobian"),
        (torch.autograd.functional, "vjp"),
        (torch.autograd.functional, "jvp"),
        (torch.func, "jacrev"),
        (torch.func, "jacfwd"),
        (torch.func, "grad"),
        (torch.func, "vjp"),
        (torch.func, "jvp"),
    ]:
        monkeypatch.setattr(owner, name, forbidden)
    U, W, x, grad_h = random_instance(5, 4, 3, seed=13)
    with torch.no_grad():
        J = ns["jacobian_h_U"](U, W, x)
        g = ns["bptt_grad_U"](U, W, x, grad_h)
    assert J.grad_fn is None and g.grad_fn is None
    monkeypatch.undo()
    expected = torch.autograd.functional.jacobian(lambda u: states_float64(u, W, x), U)
    torch.testing.assert_close(J, expected)  # right values even with autograd off
    torch.testing.assert_close(g, torch.einsum("ti,tiab->ab", grad_h, expected))
