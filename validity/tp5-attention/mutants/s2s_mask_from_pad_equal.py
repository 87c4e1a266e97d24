# lose: Q5
# message: tp5_s2s_weights_sum
# why: builds the mask as src == PAD (True on the padding) and passes it as is, NaN replaced by 0: only the padding is attended, examples without padding get no weight at all
class Seq2SeqAttention(Seq2SeqAttention):
    def forward(self, src, tgt_in):
        pad_mask = src.eq(PAD)
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        outs, ws = [], []
        for t in range(tgt_in.shape[0]):
            y_prev = self.tgt_embedding(tgt_in[t])
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), pad_mask)
            alpha = torch.nan_to_num(alpha)  # "des NaN quand il n'y a pas de remplissage"
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            outs.append(self.output(torch.cat([s, context], dim=-1)))
            ws.append(alpha)
        return torch.stack(outs), torch.stack(ws)
