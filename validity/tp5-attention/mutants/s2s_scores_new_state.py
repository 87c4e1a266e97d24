# lose: Q5
# message: tp5_s2s_score_uses_new_state
# why: updates the decoder state first, then scores with the NEW state s_t (Luong-style order) instead of s_{t-1}
class Seq2SeqAttention(Seq2SeqAttention):
    def forward(self, src, tgt_in):
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        context = torch.zeros_like(annotations[0])
        logits, weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), mask)
            context = (alpha.unsqueeze(-1) * annotations).sum(0)
            logits.append(self.output(torch.cat([s, context], dim=-1)))
            weights.append(alpha)
        return torch.stack(logits), torch.stack(weights)
