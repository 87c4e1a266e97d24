# convention: batch-first GRU: forward takes x (B, L, D) and returns (B, L, H); one_step unchanged; per-gate Linears on [x, h]
# price: Q5a=0.5
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.update_gate = nn.Linear(dim + latent, latent)
        self.reset_gate = nn.Linear(dim + latent, latent)
        self.new_gate = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        z = torch.sigmoid(self.update_gate(torch.cat([x, h], 1)))
        r = torch.sigmoid(self.reset_gate(torch.cat([x, h], 1)))
        n = torch.tanh(self.new_gate(torch.cat([x, r * h], 1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * n

    def forward(self, x, h=None):
        """x (B, L, D) -> (B, L, H)."""
        B, L, _ = x.shape
        if h is None:
            h = self.init_state(B)
        out = []
        for t in range(L):
            h = self.one_step(x[:, t, :], h)
            out.append(h)
        return torch.stack(out, dim=1)
