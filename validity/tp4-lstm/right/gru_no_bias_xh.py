# why: GRU without biases, one Linear per gate on [x, h] (declared candidate first)
class GRU(GRU):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.candidate = nn.Linear(dim + latent, latent, bias=False)
        self.update = nn.Linear(dim + latent, latent, bias=False)
        self.reset = nn.Linear(dim + latent, latent, bias=False)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        xh = torch.cat([x, h], dim=-1)
        z = torch.sigmoid(self.update(xh))
        r = torch.sigmoid(self.reset(xh))
        h_tilde = torch.tanh(self.candidate(torch.cat([x, r * h], dim=-1)))
        return (1 - z) * h + z * h_tilde
