# lose: Q5
# message: tp5_s2s_learning
# why: computes the attention once, with s_0, before the decoding loop: the same context at every step (the fixed-context model)
class Seq2SeqAttention(Seq2SeqAttention):
    def forward(self, src, tgt_in):
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), mask)
        context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
        all_logits = []
        for y_prev in self.tgt_embedding(tgt_in):
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
        return torch.stack(all_logits), alpha.expand(len(tgt_in), *alpha.shape)
