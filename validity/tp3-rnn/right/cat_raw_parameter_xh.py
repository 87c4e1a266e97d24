# why: one raw (D+H, H) Parameter applied to [x, h] with torch.cat and @, two bias vectors, decoder as an nn.Linear named out
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.W = nn.Parameter(torch.randn(dim + latent, latent) * 0.1)
        self.b1 = nn.Parameter(torch.zeros(latent))
        self.b2 = nn.Parameter(torch.zeros(1, latent))
        self.out = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(torch.cat([x, h], dim=-1) @ self.W + self.b1 + self.b2)

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        all_h = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            all_h.append(h)
        return torch.stack(all_h)

    def decode(self, h):
        return self.out(h)
