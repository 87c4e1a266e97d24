# lose: Q4
# message: tp5_bigru_hn
# why: outputs right, but h_n stacked as [backward; forward]
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
        bw.reverse()
        outputs = torch.cat([torch.stack(fw), torch.stack(bw)], dim=-1)
        return outputs, torch.stack([h_bw, h_fw])
