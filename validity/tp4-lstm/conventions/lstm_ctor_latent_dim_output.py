# convention: LSTM(latent, dim, output): latent size first in the constructor; build_model passes the arguments in that order; raw nn.Parameter weights (H, D + H) per gate on [x, h], applied with F.linear
class LSTM(RNN):
    def __init__(self, latent, dim, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        bound = 1 / latent ** 0.5
        for gate in ("f", "i", "c", "o"):
            setattr(self, f"W_{gate}", nn.Parameter(torch.empty(latent, dim + latent).uniform_(-bound, bound)))
            setattr(self, f"b_{gate}", nn.Parameter(torch.empty(latent).uniform_(-bound, bound)))
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        xh = torch.cat([x, h], dim=1)
        f = torch.sigmoid(F.linear(xh, self.W_f, self.b_f))
        i = torch.sigmoid(F.linear(xh, self.W_i, self.b_i))
        o = torch.sigmoid(F.linear(xh, self.W_o, self.b_o))
        c = f * c + i * torch.tanh(F.linear(xh, self.W_c, self.b_c))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "rnn":
        model = RNN(dim, latent, vocab_size)
    elif cell == "gru":
        model = GRU(dim, latent, vocab_size)
    elif cell == "lstm":
        model = LSTM(latent, dim, vocab_size)
    else:
        raise ValueError("cell must be 'rnn', 'gru' or 'lstm'")
    return emb, model
