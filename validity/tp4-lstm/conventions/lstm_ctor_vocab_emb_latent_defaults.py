# convention: LSTM(vocab_size=VOCAB_SIZE, emb_dim=64, latent=128): constructor named after the vocabulary and the embedding, in the order (V, D, H), every argument with a default; the embedding stays outside; build_model passes keywords
class LSTM(RNN):
    def __init__(self, vocab_size=VOCAB_SIZE, emb_dim=64, latent=128):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = emb_dim, latent, vocab_size
        self.gates = {}
        self.f_gate = nn.Linear(emb_dim + latent, latent)
        self.i_gate = nn.Linear(emb_dim + latent, latent)
        self.o_gate = nn.Linear(emb_dim + latent, latent)
        self.c_cand = nn.Linear(emb_dim + latent, latent)
        self.decoder = nn.Linear(latent, vocab_size)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        xh = torch.cat([x, h], dim=-1)
        f = torch.sigmoid(self.f_gate(xh))
        i = torch.sigmoid(self.i_gate(xh))
        o = torch.sigmoid(self.o_gate(xh))
        c = f * c + i * torch.tanh(self.c_cand(xh))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "lstm":
        return emb, LSTM(vocab_size=vocab_size, emb_dim=dim, latent=latent)
    if cell == "gru":
        return emb, GRU(dim, latent, vocab_size)
    if cell == "rnn":
        return emb, RNN(dim, latent, vocab_size)
    raise ValueError(f"unknown cell {cell!r}")
