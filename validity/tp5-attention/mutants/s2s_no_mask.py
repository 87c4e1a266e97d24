# lose: Q5
# message: tp5_s2s_weights_padding
# why: forgets the padding mask: the decoder attends to the PAD positions of the source
class Seq2SeqAttention(Seq2SeqAttention):
    def forward(self, src, tgt_in):
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        all_logits, all_weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2))
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
            all_weights.append(alpha)
        return torch.stack(all_logits), torch.stack(all_weights)
