# convention: batch-first LSTM: forward takes x (B, L, D) and returns (B, L, H) (the DataLoader's layout); one_step unchanged
# price: Q5b=0.5
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c

    def forward(self, x, h=None):
        """x (B, L, D) -> hidden vectors (B, L, H)."""
        state = self.init_state(x.shape[0]) if h is None else h
        hs = []
        for t in range(x.shape[1]):
            state = self.one_step(x[:, t], state)
            hs.append(state[0])
        return torch.stack(hs, dim=1)
