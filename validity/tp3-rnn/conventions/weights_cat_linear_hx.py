# convention: one nn.Linear(latent + dim, latent) applied to [h, x] (state first), written with torch.hstack and a keyword-named constructor RNN(dim=, latent=, output=)
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim = dim
        self.latent = latent
        self.output = output
        self.combined = nn.Linear(in_features=latent + dim, out_features=latent)
        self.fc = nn.Linear(in_features=latent, out_features=output)
        self.act = nn.Tanh()

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return self.act(self.combined(torch.hstack((h, x))))

    def forward(self, x, h=None):
        h = self.init_state(x.shape[1]) if h is None else h
        seq = torch.empty(x.shape[0], x.shape[1], self.latent, dtype=h.dtype, device=h.device)
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            seq[t] = h
        return seq

    def decode(self, h):
        return self.fc(h)
