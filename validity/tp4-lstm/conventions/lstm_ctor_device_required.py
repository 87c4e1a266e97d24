# convention: LSTM(dim, latent, output, device): a required device argument; the layers are moved to it in the constructor and the zero state is created on self.device
class LSTM(RNN):
    def __init__(self, dim, latent, output, device):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.device = torch.device(device)
        self.gates = {}
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)
        self.to(self.device)

    def init_state(self, batch):
        h = torch.zeros(batch, self.latent, device=self.device, dtype=self.W_f.weight.dtype)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c


def build_model(cell, vocab_size, dim, latent):
    models = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in models:
        raise ValueError(f"unknown cell {cell!r}")
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "lstm":
        return emb, LSTM(dim, latent, vocab_size, device)
    return emb, models[cell](dim, latent, vocab_size)
