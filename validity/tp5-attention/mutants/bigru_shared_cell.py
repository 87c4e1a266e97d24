# lose: Q4
# message: tp5_bigru_layout_unknown
# why: one GRUCell used for both directions (the backward pass reuses the forward cell's weights)
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = nn.GRUCell(input_size, hidden_size)

    def forward(self, x):
        B = x.shape[1]
        h = x.new_zeros(B, self.hidden_size)
        forward_states = []
        for x_t in x:
            h = self.cell(x_t, h)
            forward_states.append(h)
        g = x.new_zeros(B, self.hidden_size)
        backward_states = []
        for x_t in reversed(x):
            g = self.cell(x_t, g)
            backward_states.insert(0, g)
        out = torch.cat([torch.stack(forward_states), torch.stack(backward_states)], -1)
        return out, torch.stack([h, g])
