# why: Seq2Seq with other names, one shared embedding, W_1 and W_2 as bias-free nn.Linear passed to score_additive by their weights, context with bmm, h_n split with unbind
class Seq2SeqAttention(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.vocab_size, self.emb_dim, self.hidden_size = vocab_size, emb_dim, hidden_size
        H = hidden_size
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD)
        self.enc = BiGRUEncoder(emb_dim, H)
        self.bridge = nn.Linear(2 * H, H)
        self.att_dec = nn.Linear(H, H, bias=False)
        self.att_enc = nn.Linear(2 * H, H, bias=False)
        self.att_v = nn.Parameter(torch.empty(H).uniform_(-0.1, 0.1))
        self.dec = nn.GRUCell(emb_dim + 2 * H, H)
        self.proj = nn.Linear(3 * H, vocab_size)

    def forward(self, src, tgt_in):
        mask = src.ne(PAD)
        enc_out, h_n = self.enc(self.emb(src))
        fw_last, bw_first = h_n.unbind(0)
        state = torch.tanh(self.bridge(torch.cat((fw_last, bw_first), dim=1)))
        memory = enc_out.transpose(0, 1)  # (B, L, 2H)
        logits, alphas = [], []
        for t in range(tgt_in.size(0)):
            e = score_additive(state, enc_out, self.att_v, self.att_dec.weight, self.att_enc.weight)
            a = attention_weights(e, mask)  # (L, B)
            ctx = torch.bmm(a.t().unsqueeze(1), memory).squeeze(1)  # (B, 2H)
            state = self.dec(torch.cat((self.emb(tgt_in[t]), ctx), dim=1), state)
            logits.append(self.proj(torch.cat((state, ctx), dim=1)))
            alphas.append(a)
        return torch.stack(logits, 0), torch.stack(alphas, 0)
