# convention: constructor RNN(input_dim, output_dim, hidden_dim=128) — input and output first, the hidden size last with a default
class RNN(nn.Module):
    def __init__(self, input_dim, output_dim, hidden_dim=128):
        super().__init__()
        self.input_dim, self.output_dim, self.hidden_dim = input_dim, output_dim, hidden_dim
        self.Wi = nn.Linear(input_dim, hidden_dim)
        self.Wh = nn.Linear(hidden_dim, hidden_dim, bias=False)
        self.Wo = nn.Linear(hidden_dim, output_dim)

    def init_state(self, batch):
        weight = self.Wi.weight
        return torch.zeros(batch, self.hidden_dim, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.Wi(x) + self.Wh(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        hidden_states = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            hidden_states.append(h)
        return torch.stack(hidden_states, dim=0)

    def decode(self, h):
        return self.Wo(h)
