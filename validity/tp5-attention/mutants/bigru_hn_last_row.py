# lose: Q4
# message: tp5_bigru_hn
# why: h_n read from the last row of outputs: for the backward direction that is the state after one step, not after the first position
class BiGRUEncoder(BiGRUEncoder):
    def forward(self, x):
        H = self.hidden_size
        h_fw = x.new_zeros(x.shape[1], H)
        h_bw = x.new_zeros(x.shape[1], H)
        fw, bw = [], []
        for x_t in x:
            h_fw = self.forward_cell(x_t, h_fw)
            fw.append(h_fw)
        for x_t in x.flip(0):
            h_bw = self.backward_cell(x_t, h_bw)
            bw.append(h_bw)
        outputs = torch.cat([torch.stack(fw), torch.stack(bw[::-1])], dim=-1)
        return outputs, torch.stack([outputs[-1, :, :H], outputs[-1, :, H:]])
