# lose: Q5a, Q5b
# message: needs_review
# why: reaches torch's fused cell through an alias of torch.ops.aten, which the source cannot follow (top level: the GRU too)
aten = torch.ops.aten


class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.w_ih = nn.Parameter(torch.randn(4 * latent, dim) / latent ** 0.5)
        self.w_hh = nn.Parameter(torch.randn(4 * latent, latent) / latent ** 0.5)
        self.b = nn.Parameter(torch.zeros(4 * latent))
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        return tuple(aten.lstm_cell(x, list(state), self.w_ih, self.w_hh, self.b))
