# convention: Seq2SeqAttention returns batch-first logits (B, T, V) (ready for cross_entropy after a flatten), weights (T, L, B) as asked
# price: Q5=0.5
class Seq2SeqAttention(Seq2SeqAttention):
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
        return torch.stack(all_logits, dim=1), torch.stack(all_weights)
