# lose: Q5b
# message: tp4_wraps_torch_cell
# why: hides nn.LSTMCell behind a subclass with an innocent name
class Cellule(nn.LSTMCell):
    pass


class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.cell = Cellule(dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        return self.cell(x, state)
