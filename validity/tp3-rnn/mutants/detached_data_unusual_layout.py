# lose: Q1
# message: tp3_gradients_cut
# why: the state goes through .data at each step (no gradient through time), in a model whose parameters cannot be identified from their shapes (two-layer linear decoder)
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.inp = nn.Linear(dim, latent)
        self.rec = nn.Linear(latent, latent, bias=False)
        self.decoder = nn.Sequential(nn.Linear(latent, latent), nn.Linear(latent, output))

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.inp(x) + self.rec(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h.data)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.decoder(h)
