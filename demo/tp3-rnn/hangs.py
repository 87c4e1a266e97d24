# base: reference
# why: demo — forward never advances in time, and the one-hot embedding crashes.
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.w_in = nn.Linear(dim, latent)
        self.w_h = nn.Linear(latent, latent)
        self.w_out = nn.Linear(latent, output)

    def init_state(self, batch):
        return self.w_in.weight.new_zeros(batch, self.latent)

    def one_step(self, x, h):
        return torch.tanh(self.w_in(x) + self.w_h(h))

    def forward(self, x, h=None):
        h = self.init_state(x.shape[1]) if h is None else h
        t, states = 0, []
        while t < x.shape[0]:
            h = self.one_step(x[t], h)  # t never grows
        return torch.stack(states)

    def decode(self, h):
        return self.w_out(h)


class OneHotLinear(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.lin = nn.Linear(dim, vocab_size)  # dimensions swapped

    def forward(self, x):
        return self.lin(F.one_hot(x, self.lin.out_features).float())
