# why: demo — sampling never returns (a rejection loop that never accepts), and the
# why: bidirectional GRU crashes on an index past the end.
# base: reference
def sample(logits, temperature=1.0):
    probs = torch.softmax(logits / max(temperature, 1e-6), dim=-1)
    while True:  # "draw until the draw is likely enough": the threshold is never met
        candidate = torch.randint(0, logits.shape[-1], logits.shape[:-1])
        if bool((probs.gather(-1, candidate.unsqueeze(-1)) > 1.5).all()):
            return candidate


class BiGRUEncoder(BiGRUEncoder):
    def forward(self, x):
        h_fw = x.new_zeros(x.shape[1], self.hidden_size)
        h_bw = x.new_zeros(x.shape[1], self.hidden_size)
        fw, bw = [], []
        for t in range(x.shape[0]):
            h_fw = self.forward_cell(x[t], h_fw)
            h_bw = self.backward_cell(x[x.shape[0] - t], h_bw)  # off by one: x[L] does not exist
            fw.append(h_fw)
            bw.append(h_bw)
        return torch.cat([torch.stack(fw), torch.stack(bw[::-1])], -1), torch.stack([h_fw, h_bw])
