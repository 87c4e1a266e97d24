# convention: LSTM one_step(x, h, c) -> (h, c) with h and c as separate arguments, and forward(x, h=None, c=None); one Linear per gate on [h, x]
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.forget = nn.Linear(latent + dim, latent)
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
        f = torch.sigmoid(self.forget(hx))
        i = torch.sigmoid(self.input(hx))
        o = torch.sigmoid(self.out(hx))
        c = f * c + i * torch.tanh(self.cell(hx))
        h = o * torch.tanh(c)
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return h, c

    def forward(self, x, h=None, c=None):
        batch = x.shape[1]
        if h is None:
            h = torch.zeros(batch, self.latent, device=x.device, dtype=x.dtype)
        if c is None:
            c = torch.zeros(batch, self.latent, device=x.device, dtype=x.dtype)
        hs = []
        for x_t in x:
            h, c = self.one_step(x_t, h, c)
            hs.append(h)
        return torch.stack(hs)
