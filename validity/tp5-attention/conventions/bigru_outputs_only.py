# convention: BiGRUEncoder.forward returns the outputs (L, B, 2H) alone, no h_n; the student's Seq2SeqAttention reads the final states from the outputs
# price: Q4=1
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell_fw = nn.GRUCell(input_size, hidden_size)
        self.cell_bw = nn.GRUCell(input_size, hidden_size)

    def forward(self, x):
        h = x.new_zeros(x.shape[1], self.hidden_size)
        g = x.new_zeros(x.shape[1], self.hidden_size)
        fw, bw = [], []
        for t in range(len(x)):
            h = self.cell_fw(x[t], h)
            fw.append(h)
            g = self.cell_bw(x[len(x) - 1 - t], g)
            bw.append(g)
        return torch.cat([torch.stack(fw), torch.stack(bw[::-1])], dim=-1)


class Seq2SeqAttention(Seq2SeqAttention):
    def forward(self, src, tgt_in):
        H = self.hidden_size
        mask = src != PAD
        annotations = self.encoder(self.src_embedding(src))
        last = torch.cat([annotations[-1, :, :H], annotations[0, :, H:]], dim=-1)
        s = torch.tanh(self.init_state(last))
        all_logits, all_weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            alpha = attention_weights(score_additive(s, annotations, self.v_a, self.W_1, self.W_2), mask)
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
            all_weights.append(alpha)
        return torch.stack(all_logits), torch.stack(all_weights)
