# why: one Linear on the concatenation [h, x] (bias included), the decoder in an nn.Sequential
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.cell = nn.Linear(latent + dim, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, output))

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.cell(torch.cat((h, x), dim=1)))

    def forward(self, x, h=None):
        h = self.init_state(x.size(1)) if h is None else h
        out = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            out.append(h.unsqueeze(0))
        return torch.cat(out, dim=0)

    def decode(self, h):
        return self.decoder(h)
