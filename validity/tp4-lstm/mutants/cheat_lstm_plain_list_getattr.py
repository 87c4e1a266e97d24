# lose: Q5b
# message: tp4_wraps_torch_cell
# why: keeps an nn.LSTMCell in a plain list (not a registered module), built through getattr
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.parts = [getattr(nn, "LSTM" + "Cell")(dim, latent)]
        self.weights = nn.ParameterList(self.parts[0].parameters())
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        return self.parts[0](x, state)
