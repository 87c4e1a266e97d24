# convention: the LSTM owns its nn.Embedding (output = vocabulary size, padding_idx=PAD_IX): forward takes the codes (L, B) and embeds them itself; one_step reads embedded vectors (B, D); build_model returns (rnn.embedding, rnn)
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.embedding = nn.Embedding(output, dim, padding_idx=PAD_IX)
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = torch.zeros(batch, self.latent, device=self.decoder.weight.device, dtype=self.decoder.weight.dtype)
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

    def forward(self, codes, state=None):
        """codes (L, B) long -> hidden vectors (L, B, H)."""
        x = self.embedding(codes)
        if state is None:
            state = self.init_state(codes.shape[1])
        hs = []
        for x_t in x:
            state = self.one_step(x_t, state)
            hs.append(state[0])
        return torch.stack(hs)


def build_model(cell, vocab_size, dim, latent):
    if cell == "lstm":
        rnn = LSTM(dim, latent, vocab_size)
        return rnn.embedding, rnn  # the model embeds its codes itself
    if cell in ("rnn", "gru"):
        rnn = RNN(dim, latent, vocab_size) if cell == "rnn" else GRU(dim, latent, vocab_size)
        return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), rnn
    raise ValueError(f"unknown cell: {cell}")
