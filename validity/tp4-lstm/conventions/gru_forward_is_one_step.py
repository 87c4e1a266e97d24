# convention: GRU whose forward(x, h) is ONE step (x (B, D) -> h (B, H)), nn.Module-style, with a separate sequence method forward_sequence(xs, h=None) -> (L, B, H); per-gate Linears on [h, x] declared candidate first
class GRU(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.W_h = nn.Linear(latent + dim, latent)
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def forward(self, x, h):
        """One time step: x (B, D), h (B, H) -> (B, H)."""
        hx = torch.cat([h, x], -1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        return (1 - z) * h + z * torch.tanh(self.W_h(torch.cat([r * h, x], -1)))

    def forward_sequence(self, xs, h=None):
        """xs (L, B, D) -> all hidden vectors (L, B, H)."""
        if h is None:
            h = xs.new_zeros(xs.shape[1], self.latent)
        hs = []
        for x in xs:
            h = self(x, h)
            hs.append(h)
        return torch.stack(hs)

    def decode(self, h):
        return self.decoder(h)
