# convention: GRU whose one-step method is named cell(x, h) instead of one_step (forward loops over self.cell); raw nn.Parameter weights (D + H, H) on [x, h] used as xh @ W
class GRU(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        scale = (dim + latent) ** -0.5
        self.Wz = nn.Parameter(torch.randn(dim + latent, latent) * scale)
        self.bz = nn.Parameter(torch.zeros(latent))
        self.Wr = nn.Parameter(torch.randn(dim + latent, latent) * scale)
        self.br = nn.Parameter(torch.zeros(latent))
        self.Wh = nn.Parameter(torch.randn(dim + latent, latent) * scale)
        self.bh = nn.Parameter(torch.zeros(latent))
        self.decoder = nn.Linear(latent, output)

    def cell(self, x, h):
        xh = torch.cat([x, h], dim=-1)
        z = torch.sigmoid(xh @ self.Wz + self.bz)
        r = torch.sigmoid(xh @ self.Wr + self.br)
        h_hat = torch.tanh(torch.cat([x, r * h], dim=-1) @ self.Wh + self.bh)
        return (1 - z) * h + z * h_hat

    def forward(self, x, h=None):
        if h is None:
            h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype, device=x.device)
        hs = []
        for x_t in x:
            h = self.cell(x_t, h)
            hs.append(h)
        return torch.stack(hs)

    def decode(self, h):
        return self.decoder(h)
