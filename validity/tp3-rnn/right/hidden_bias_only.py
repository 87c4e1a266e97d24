# why: no bias on the input Linear, the bias sits on the hidden Linear instead; decoder as a separate attribute name
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.Wx = nn.Linear(dim, latent, bias=False)
        self.Wh = nn.Linear(latent, latent)
        self.Wd = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.Wx(x) + self.Wh(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for t in range(len(x)):
            h = self.one_step(x[t], h)
            states.append(h)
        return torch.stack(states, 0)

    def decode(self, h):
        return self.Wd(h)
