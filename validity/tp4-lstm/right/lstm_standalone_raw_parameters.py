# why: LSTM not inheriting from RNN (its own forward, decode, init_state, hidden), raw nn.Parameter weights used as x @ W
class LSTM(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        scale = 1 / latent ** 0.5
        self.W_f = nn.Parameter(scale * torch.randn(latent + dim, latent))
        self.b_f = nn.Parameter(torch.zeros(latent))
        self.W_i = nn.Parameter(scale * torch.randn(latent + dim, latent))
        self.b_i = nn.Parameter(torch.zeros(latent))
        self.W_o = nn.Parameter(scale * torch.randn(latent + dim, latent))
        self.b_o = nn.Parameter(torch.zeros(latent))
        self.W_c = nn.Parameter(scale * torch.randn(latent + dim, latent))
        self.b_c = nn.Parameter(torch.zeros(latent))
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = torch.zeros(batch, self.latent, dtype=self.W_f.dtype, device=self.W_f.device)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=1)
        f = torch.sigmoid(hx @ self.W_f + self.b_f)
        i = torch.sigmoid(hx @ self.W_i + self.b_i)
        o = torch.sigmoid(hx @ self.W_o + self.b_o)
        c = f * c + i * torch.tanh(hx @ self.W_c + self.b_c)
        return o * torch.tanh(c), c

    def forward(self, x, h=None):
        state = self.init_state(x.size(1)) if h is None else h
        out = []
        for t in range(x.size(0)):
            state = self.one_step(x[t], state)
            out.append(state[0])
        return torch.stack(out)

    def decode(self, h):
        return self.decoder(h)
