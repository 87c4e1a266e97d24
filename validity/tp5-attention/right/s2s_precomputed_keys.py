# why: Bahdanau decoder that precomputes W_2 h once (the classic optimisation) and writes the additive score inline, tensors preallocated, GRU input [context; embedding]
class Seq2SeqAttention(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.vocab_size, self.emb_dim, self.hidden_size = vocab_size, emb_dim, hidden_size
        H = hidden_size
        self.embed_src = nn.Embedding(vocab_size, emb_dim)
        self.embed_tgt = nn.Embedding(vocab_size, emb_dim)
        self.encoder = BiGRUEncoder(emb_dim, H)
        self.W_s = nn.Linear(2 * H, H)
        self.W_1 = nn.Linear(H, H, bias=False)
        self.W_2 = nn.Linear(2 * H, H, bias=False)
        self.v = nn.Linear(H, 1, bias=False)
        self.cell = nn.GRUCell(2 * H + emb_dim, H)
        self.out = nn.Linear(3 * H, vocab_size)

    def forward(self, src, tgt_in):
        L, B = src.shape
        T = tgt_in.shape[0]
        keep = src != PAD
        h, h_n = self.encoder(self.embed_src(src))
        keys = self.W_2(h)  # (L, B, H), once
        s = torch.tanh(self.W_s(torch.cat([h_n[0], h_n[1]], -1)))
        y = self.embed_tgt(tgt_in)
        logits = h.new_zeros(T, B, self.vocab_size)
        weights = h.new_zeros(T, L, B)
        for t in range(T):
            e = self.v(torch.tanh(self.W_1(s).unsqueeze(0) + keys)).squeeze(-1)  # (L, B)
            alpha = attention_weights(e, keep)
            c = torch.einsum("lb,lbd->bd", alpha, h)
            s = self.cell(torch.cat([c, y[t]], -1), s)
            logits[t] = self.out(torch.cat([s, c], -1))
            weights[t] = alpha
        return logits, weights
