# convention: GRU(vocab_size, emb_dim, latent) owning its nn.Embedding (the decoder outputs vocab_size logits): forward(codes, h=None) takes codes (L, B); one_step reads embedded vectors; build_model returns (gru.emb, gru)
class GRU(nn.Module):
    def __init__(self, vocab_size, emb_dim, latent):
        super().__init__()
        self.vocab_size, self.emb_dim, self.latent = vocab_size, emb_dim, latent
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD_IX)
        self.W_z = nn.Linear(latent + emb_dim, latent)
        self.W_r = nn.Linear(latent + emb_dim, latent)
        self.W_h = nn.Linear(latent + emb_dim, latent)
        self.decoder = nn.Linear(latent, vocab_size)
        self.gates = {}

    def init_state(self, batch):
        return torch.zeros(batch, self.latent, device=self.W_z.weight.device, dtype=self.W_z.weight.dtype)

    def hidden(self, state):
        return state

    def one_step(self, x, h):
        z = torch.sigmoid(self.W_z(torch.cat((h, x), 1)))
        r = torch.sigmoid(self.W_r(torch.cat((h, x), 1)))
        h_new = torch.tanh(self.W_h(torch.cat((r * h, x), 1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * h_new

    def forward(self, codes, h=None):
        x = self.emb(codes)  # (L, B) -> (L, B, D)
        if h is None:
            h = self.init_state(x.shape[1])
        out = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            out.append(h)
        return torch.stack(out)

    def decode(self, h):
        return self.decoder(h)


def build_model(cell, vocab_size, dim, latent):
    if cell == "gru":
        gru = GRU(vocab_size, dim, latent)
        return gru.emb, gru
    if cell == "rnn":
        return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), RNN(dim, latent, vocab_size)
    if cell == "lstm":
        return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), LSTM(dim, latent, vocab_size)
    raise ValueError(f"unknown cell: {cell}")
