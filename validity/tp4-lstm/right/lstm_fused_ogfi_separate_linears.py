# why: LSTM with one fused input Linear and one fused hidden Linear (4 gates each), gates in the order o, g, f, i
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.x2gates = nn.Linear(dim, 4 * latent)
        self.h2gates = nn.Linear(latent, 4 * latent, bias=False)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        h, c = state
        o, g, f, i = (self.x2gates(x) + self.h2gates(h)).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
