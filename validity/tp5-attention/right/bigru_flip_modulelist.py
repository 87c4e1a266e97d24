# why: BiGRU whose two cells live in a ModuleList, one helper run for both directions, the backward one on x.flip(0) and flipped back
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cells = nn.ModuleList([nn.GRUCell(input_size, hidden_size) for _ in range(2)])

    def _run(self, cell, xs):
        h = xs.new_zeros(xs.shape[1], self.hidden_size)
        states = []
        for x_t in xs.unbind(0):
            h = cell(x_t, h)
            states.append(h)
        return torch.stack(states), h

    def forward(self, x):
        out_f, last_f = self._run(self.cells[0], x)
        out_b, last_b = self._run(self.cells[1], torch.flip(x, dims=[0]))
        return torch.cat([out_f, torch.flip(out_b, dims=[0])], dim=-1), torch.stack([last_f, last_b])
