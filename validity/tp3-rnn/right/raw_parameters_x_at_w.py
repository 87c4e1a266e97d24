# why: raw nn.Parameters used as x @ W (W_i (D, H), W_h (H, H), W_o (H, O)), written like the course's equations transposed
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.W_i = nn.Parameter(torch.randn(dim, latent) / dim ** 0.5)
        self.W_h = nn.Parameter(torch.randn(latent, latent) / latent ** 0.5)
        self.b_h = nn.Parameter(torch.zeros(latent))
        self.W_o = nn.Parameter(torch.randn(latent, output) / latent ** 0.5)
        self.b_o = nn.Parameter(torch.zeros(output))

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(x @ self.W_i + h @ self.W_h + self.b_h)

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        hs = []
        for x_t in x.unbind(0):
            h = self.one_step(x_t, h)
            hs.append(h)
        return torch.stack(hs)

    def decode(self, h):
        return h @ self.W_o + self.b_o
