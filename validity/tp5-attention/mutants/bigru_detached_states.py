# lose: Q4
# message: tp5_gradient_values
# why: detaches the hidden state at every step (truncated backprop written by habit): gradients stop at each position
class BiGRUEncoder(BiGRUEncoder):
    def forward(self, x):
        h_fw = x.new_zeros(x.shape[1], self.hidden_size)
        h_bw = x.new_zeros(x.shape[1], self.hidden_size)
        fw, bw = [], []
        for x_t in x:
            h_fw = self.forward_cell(x_t, h_fw.detach())
            fw.append(h_fw)
        for x_t in x.flip(0):
            h_bw = self.backward_cell(x_t, h_bw.detach())
            bw.append(h_bw)
        bw.reverse()
        return torch.cat([torch.stack(fw), torch.stack(bw)], dim=-1), torch.stack([h_fw, h_bw])
