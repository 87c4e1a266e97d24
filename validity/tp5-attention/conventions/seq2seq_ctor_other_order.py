# convention: Seq2SeqAttention(hidden_size, vocab_size, emb_dim=16): the sizes in another order, one with a default; BiGRUEncoder(hidden_dim, input_dim)
# price:
class BiGRUEncoder(nn.Module):
    def __init__(self, hidden_dim, input_dim):
        super().__init__()
        self.input_size, self.hidden_size = input_dim, hidden_dim
        self.forward_cell = nn.GRUCell(input_dim, hidden_dim)
        self.backward_cell = nn.GRUCell(input_dim, hidden_dim)

    def forward(self, x):
        h_fw = x.new_zeros(x.shape[1], self.hidden_size)
        h_bw = x.new_zeros(x.shape[1], self.hidden_size)
        fw, bw = [], []
        for x_t in x:
            h_fw = self.forward_cell(x_t, h_fw)
            fw.append(h_fw)
        for x_t in x.flip(0):
            h_bw = self.backward_cell(x_t, h_bw)
            bw.append(h_bw)
        return torch.cat([torch.stack(fw), torch.stack(bw[::-1])], dim=-1), torch.stack([h_fw, h_bw])


class Seq2SeqAttention(nn.Module):
    def __init__(self, hidden_size, vocab_size, emb_dim=16):
        super().__init__()
        self.vocab_size, self.emb_dim, self.hidden_size = vocab_size, emb_dim, hidden_size
        H = hidden_size
        self.src_embedding = nn.Embedding(vocab_size, emb_dim)
        self.tgt_embedding = nn.Embedding(vocab_size, emb_dim)
        self.encoder = BiGRUEncoder(H, emb_dim)
        self.init_state = nn.Linear(2 * H, H)
        self.W_1 = nn.Parameter(torch.randn(H, H) / math.sqrt(H))
        self.W_2 = nn.Parameter(torch.randn(H, 2 * H) / math.sqrt(2 * H))
        self.v_a = nn.Parameter(torch.randn(H) / math.sqrt(H))
        self.decoder_cell = nn.GRUCell(emb_dim + 2 * H, H)
        self.output = nn.Linear(3 * H, vocab_size)

    def forward(self, src, tgt_in):
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        all_logits, all_weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), mask)
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
            all_weights.append(alpha)
        return torch.stack(all_logits), torch.stack(all_weights)
