# convention: LSTM whose one-step method is named forward_step(x, (h, c)) -> (h, c) instead of one_step; one Linear per gate on [x, h]
class LSTM(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.lin_f = nn.Linear(dim + latent, latent)
        self.lin_i = nn.Linear(dim + latent, latent)
        self.lin_g = nn.Linear(dim + latent, latent)
        self.lin_o = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)
        self.gates = {}

    def forward_step(self, x, state):
        h, c = state
        xh = torch.cat((x, h), dim=1)
        f = torch.sigmoid(self.lin_f(xh))
        i = torch.sigmoid(self.lin_i(xh))
        g = torch.tanh(self.lin_g(xh))
        o = torch.sigmoid(self.lin_o(xh))
        c = f * c + i * g
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c

    def forward(self, x, state=None):
        if state is None:
            zeros = torch.zeros(x.size(1), self.latent, dtype=x.dtype, device=x.device)
            state = (zeros, zeros)
        hs = []
        for x_t in x:
            state = self.forward_step(x_t, state)
            hs.append(state[0])
        return torch.stack(hs)

    def decode(self, h):
        return self.decoder(h)
