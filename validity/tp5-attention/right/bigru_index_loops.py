# why: BiGRU with index loops (range(L - 1, -1, -1)) writing into preallocated tensors, cells named fw/bw, one torch.cat at the end
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.fw = nn.GRUCell(input_size, hidden_size)
        self.bw = nn.GRUCell(input_size, hidden_size)

    def forward(self, x):
        L, B, _ = x.shape
        H = self.hidden_size
        h = torch.zeros(B, H, dtype=x.dtype, device=x.device)
        fwd = []
        for t in range(L):
            h = self.fw(x[t], h)
            fwd.append(h)
        g = torch.zeros(B, H, dtype=x.dtype, device=x.device)
        bwd = [None] * L
        for t in range(L - 1, -1, -1):
            g = self.bw(x[t], g)
            bwd[t] = g
        out = torch.cat((torch.stack(fwd, 0), torch.stack(bwd, 0)), dim=2)
        return out, torch.stack((h, g), 0)
