# convention: GRU(hidden, input, output): the latent size comes first in the constructor (a past-year order); build_model passes the arguments in that order; z and r fused in one Linear on [h, x]
class GRU(RNN):
    def __init__(self, latent, dim, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_zr = nn.Linear(latent + dim, 2 * latent)  # update gate rows first, then reset
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        z, r = torch.sigmoid(self.W_zr(torch.cat([h, x], dim=-1))).split(self.latent, dim=-1)
        candidate = torch.tanh(self.W(torch.cat([r * h, x], dim=-1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * candidate


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "rnn":
        return emb, RNN(dim, latent, vocab_size)
    if cell == "gru":
        return emb, GRU(latent, dim, vocab_size)  # GRU(hidden, input, output)
    if cell == "lstm":
        return emb, LSTM(dim, latent, vocab_size)
    raise ValueError(f"unknown cell {cell}")
