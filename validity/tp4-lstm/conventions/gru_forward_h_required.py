# convention: GRU forward(x, h) with the initial state h REQUIRED (the course's signature, no default); separate Linears on x and on h for each gate
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.x_z, self.h_z = nn.Linear(dim, latent), nn.Linear(latent, latent, bias=False)
        self.x_r, self.h_r = nn.Linear(dim, latent), nn.Linear(latent, latent, bias=False)
        self.x_n, self.h_n = nn.Linear(dim, latent), nn.Linear(latent, latent, bias=False)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        z = torch.sigmoid(self.x_z(x) + self.h_z(h))
        r = torch.sigmoid(self.x_r(x) + self.h_r(h))
        n = torch.tanh(self.x_n(x) + self.h_n(r * h))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * n

    def forward(self, x, h):
        """x (L, B, D), h (B, H) -> (L, B, H)."""
        hs = []
        for x_t in x:
            h = self.one_step(x_t, h)
            hs.append(h)
        return torch.stack(hs)
