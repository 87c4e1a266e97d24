# convention: raw nn.Parameters in the course's orientation W_i (H, D), W_h (H, H), b (H, 1), W_d (O, H), b_d (O, 1), used on column vectors as in the equations and transposed back
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        k = 1.0 / latent ** 0.5
        self.W_i = nn.Parameter(torch.empty(latent, dim).uniform_(-k, k))
        self.W_h = nn.Parameter(torch.empty(latent, latent).uniform_(-k, k))
        self.b = nn.Parameter(torch.zeros(latent, 1))
        self.W_d = nn.Parameter(torch.empty(output, latent).uniform_(-k, k))
        self.b_d = nn.Parameter(torch.zeros(output, 1))

    def init_state(self, batch):
        return torch.zeros(batch, self.latent, dtype=self.W_i.dtype, device=self.W_i.device)

    def one_step(self, x, h):
        # h_t = tanh(W_i x_t + W_h h_{t-1} + b), column vectors: (H, B)
        return torch.tanh(self.W_i @ x.T + self.W_h @ h.T + self.b).T

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        flat = h.reshape(-1, self.latent)
        y = (self.W_d @ flat.T + self.b_d).T
        return y.reshape(*h.shape[:-1], self.output)
