# base: reference
# why: demo — batch-first forward and a softmax inside decode (two mistakes seen in past hand-ins).
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.w_in = nn.Linear(dim, latent)
        self.w_h = nn.Linear(latent, latent, bias=False)
        self.w_out = nn.Linear(latent, output)

    def init_state(self, batch):
        return self.w_in.weight.new_zeros(batch, self.latent)

    def one_step(self, x, h):
        return torch.tanh(self.w_in(x) + self.w_h(h))

    def forward(self, x, h=None):  # expects (B, L, D)
        h = self.init_state(x.shape[0]) if h is None else h
        states = []
        for t in range(x.shape[1]):
            h = self.one_step(x[:, t], h)
            states.append(h)
        return torch.stack(states, dim=1)

    def decode(self, h):
        return torch.softmax(self.w_out(h), dim=-1)
