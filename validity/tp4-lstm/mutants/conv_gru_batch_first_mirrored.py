# lose: Q5a
# message: tp4_gru_mirrored_z
# why: batch-first GRU (forward (B, L, D) -> (B, L, H)) whose update is mirrored: z * h + (1 - z) * h~
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_z = nn.Linear(dim + latent, latent)
        self.W_r = nn.Linear(dim + latent, latent)
        self.W_n = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        xh = torch.cat([x, h], 1)
        z = torch.sigmoid(self.W_z(xh))
        r = torch.sigmoid(self.W_r(xh))
        n = torch.tanh(self.W_n(torch.cat([x, r * h], 1)))
        return z * h + (1 - z) * n

    def forward(self, x, h=None):
        h = self.init_state(x.shape[0]) if h is None else h
        out = []
        for t in range(x.shape[1]):
            h = self.one_step(x[:, t], h)
            out.append(h)
        return torch.stack(out, 1)
