# lose: Q5b
# message: tp4_lstm_no_forget_gate
# why: LSTM written with one_step(x, h, c) -> (h, c) and forward(x, h=None, c=None) that has no forget gate: c' = c + i * c~
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.input = nn.Linear(latent + dim, latent)
        self.cell = nn.Linear(latent + dim, latent)
        self.out = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, h, c):
        hx = torch.cat([h, x], dim=1)
        i = torch.sigmoid(self.input(hx))
        o = torch.sigmoid(self.out(hx))
        c = c + i * torch.tanh(self.cell(hx))
        return o * torch.tanh(c), c

    def forward(self, x, h=None, c=None):
        if h is None:
            h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype, device=x.device)
        if c is None:
            c = torch.zeros_like(h)
        hs = []
        for x_t in x:
            h, c = self.one_step(x_t, h, c)
            hs.append(h)
        return torch.stack(hs)
