# lose: Q5a
# message: tp4_gru_reset_after_product
# why: applies the reset gate after the matrix product (r * W_h h, as torch does) instead of to h before it
class GRU(GRU):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W_x = nn.Linear(dim, latent)
        self.W_h = nn.Linear(latent, latent, bias=False)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W_x(x) + r * self.W_h(h))
        return (1 - z) * h + z * candidate
