# why: GRU with z and r fused in one Linear (2H outputs, r first) on [h, x], the candidate split into input and hidden Linears
class GRU(GRU):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.rz = nn.Linear(latent + dim, 2 * latent)
        self.cand_x = nn.Linear(dim, latent)
        self.cand_h = nn.Linear(latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        r, z = torch.sigmoid(self.rz(torch.cat([h, x], -1))).chunk(2, -1)
        n = torch.tanh(self.cand_x(x) + self.cand_h(r * h))
        return h + z * (n - h)
