# lose: Q5b
# message: tp4_wraps_torch_cell
# why: wraps a one-layer nn.LSTM and runs it one step at a time
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.lstm = nn.LSTM(dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        h, c = state
        _, (h, c) = self.lstm(x[None], (h[None], c[None]))
        return h[0], c[0]
