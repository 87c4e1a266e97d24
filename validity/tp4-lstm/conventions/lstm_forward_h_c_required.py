# convention: LSTM forward(x, h, c) with h and c REQUIRED as two separate arguments (one_step keeps the (h, c) pair); gates declared o, i, f, C on [h, x]
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_o = nn.Linear(latent + dim, latent)
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        o = torch.sigmoid(self.W_o(hx))
        i = torch.sigmoid(self.W_i(hx))
        f = torch.sigmoid(self.W_f(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c

    def forward(self, x, h, c):
        """x (L, B, D), h and c (B, H) -> all hidden vectors (L, B, H)."""
        state = (h, c)
        out = []
        for x_t in x:
            state = self.one_step(x_t, state)
            out.append(state[0])
        return torch.stack(out)
