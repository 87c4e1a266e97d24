# lose: Q4
# message: tp5_bigru_not_rereversed
# why: the classic mistake: the backward states are stacked in the order they were computed (from the end) and never put back in position order
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.fwd = nn.GRUCell(input_size, hidden_size)
        self.bwd = nn.GRUCell(input_size, hidden_size)

    def forward(self, x):
        L, B, _ = x.shape
        h_f = torch.zeros(B, self.hidden_size, dtype=x.dtype)
        h_b = torch.zeros(B, self.hidden_size, dtype=x.dtype)
        outs_f, outs_b = [], []
        for t in range(L):
            h_f = self.fwd(x[t], h_f)
            outs_f.append(h_f)
            h_b = self.bwd(x[L - 1 - t], h_b)
            outs_b.append(h_b)
        outputs = torch.cat([torch.stack(outs_f), torch.stack(outs_b)], dim=2)
        return outputs, torch.stack([h_f, h_b])
