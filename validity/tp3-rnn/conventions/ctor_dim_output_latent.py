# convention: constructor RNN(dim, output, latent) — hidden size last, keyword names that say each role
class RNN(nn.Module):
    def __init__(self, dim, output, latent):
        super().__init__()
        self.dim, self.output, self.latent = dim, output, latent
        self.linear_in = nn.Linear(dim, latent)
        self.linear_hidden = nn.Linear(latent, latent, bias=False)
        self.linear_out = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.linear_in(x) + self.linear_hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.linear_out(h)
