# lose: Q5b
# message: tp4_wraps_torch_cell
# why: wraps nn.LSTMCell instead of writing the LSTM equations
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.cell = nn.LSTMCell(dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        return self.cell(x, state)
