# lose: Q4
# message: tp5_bigru_backward_first
# why: concatenates [backward; forward] at each position instead of [forward; backward]
class BiGRUEncoder(BiGRUEncoder):
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
        bw = bw[::-1]
        outputs = torch.cat([torch.stack(bw), torch.stack(fw)], dim=-1)
        return outputs, torch.stack([h_fw, h_bw])
