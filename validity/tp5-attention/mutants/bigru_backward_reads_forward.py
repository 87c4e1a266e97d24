# lose: Q4
# message: tp5_bigru_backward_not_flipped
# why: the backward cell reads the sequence from left to right too (the input is never reversed): two forward GRUs
class BiGRUEncoder(BiGRUEncoder):
    def forward(self, x):
        h1 = torch.zeros(x.size(1), self.hidden_size, dtype=x.dtype, device=x.device)
        h2 = torch.zeros_like(h1)
        out = []
        for t in range(x.size(0)):
            h1 = self.forward_cell(x[t], h1)
            h2 = self.backward_cell(x[t], h2)
            out.append(torch.cat((h1, h2), dim=1))
        return torch.stack(out), torch.stack((h1, h2))
