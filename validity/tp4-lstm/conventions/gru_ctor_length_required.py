# convention: GRU(dim, latent, output, length): a required sequence-length argument kept from TP 3's constructor (stored, not needed by the cell); build_model passes a constant
SEQ_LENGTH = 100


class GRU(RNN):
    def __init__(self, dim, latent, output, length):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.length = length
        self.gates = {}
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W(torch.cat([r * h, x], dim=-1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * candidate


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "rnn":
        return emb, RNN(dim, latent, vocab_size)
    if cell == "gru":
        return emb, GRU(dim, latent, vocab_size, SEQ_LENGTH)
    if cell == "lstm":
        return emb, LSTM(dim, latent, vocab_size)
    raise ValueError(cell)
