# why: LSTM with one Linear per gate on [x, h], declared in another order (o, C, i, f), gates kept for TensorBoard
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.lin_o = nn.Linear(dim + latent, latent)
        self.lin_C = nn.Linear(dim + latent, latent)
        self.lin_i = nn.Linear(dim + latent, latent)
        self.lin_f = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        h, c = state
        xh = torch.cat((x, h), 1)
        f, i, o = torch.sigmoid(self.lin_f(xh)), torch.sigmoid(self.lin_i(xh)), torch.sigmoid(self.lin_o(xh))
        c_new = f * c + i * torch.tanh(self.lin_C(xh))
        h_new = o * torch.tanh(c_new)
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return h_new, c_new
