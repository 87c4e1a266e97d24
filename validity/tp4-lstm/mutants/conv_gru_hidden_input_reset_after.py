# lose: Q5a
# message: tp4_gru_reset_after_product
# why: GRU(hidden, input, output) (build_model passes that order) whose reset gate multiplies W_h h after the product instead of h before it
class GRU(RNN):
    def __init__(self, latent, dim, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W_x = nn.Linear(dim, latent)
        self.W_h = nn.Linear(latent, latent, bias=False)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W_x(x) + r * self.W_h(h))
        return (1 - z) * h + z * candidate


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)
    if cell == "rnn":
        return emb, RNN(dim, latent, vocab_size)
    if cell == "gru":
        return emb, GRU(latent, dim, vocab_size)
    if cell == "lstm":
        return emb, LSTM(dim, latent, vocab_size)
    raise ValueError(f"unknown cell {cell}")
