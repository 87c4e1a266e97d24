# lose: Q5
# message: tp5_s2s_context_not_in_cell
# why: the context only reaches the output layer; the decoder GRUCell reads the embedding alone (GRUCell(emb_dim, H)): it learns as well as the reference (Luong-style output), so only the cell's input size shows it
class Seq2SeqAttention(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.vocab_size, self.emb_dim, self.hidden_size = vocab_size, emb_dim, hidden_size
        H = hidden_size
        self.src_embedding = nn.Embedding(vocab_size, emb_dim)
        self.tgt_embedding = nn.Embedding(vocab_size, emb_dim)
        self.encoder = BiGRUEncoder(emb_dim, H)
        self.init_state = nn.Linear(2 * H, H)
        self.W_1 = nn.Parameter(torch.randn(H, H) / math.sqrt(H))
        self.W_2 = nn.Parameter(torch.randn(H, 2 * H) / math.sqrt(2 * H))
        self.v_a = nn.Parameter(torch.randn(H) / math.sqrt(H))
        self.decoder_cell = nn.GRUCell(emb_dim, H)
        self.output = nn.Linear(3 * H, vocab_size)

    def forward(self, src, tgt_in):
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        all_logits, all_weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), mask)
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
            s = self.decoder_cell(y_prev, s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
            all_weights.append(alpha)
        return torch.stack(all_logits), torch.stack(all_weights)
