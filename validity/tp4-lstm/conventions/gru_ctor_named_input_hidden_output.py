# convention: GRU(input_size, hidden_size, output_size): a standalone nn.Module with PyTorch-style argument and attribute names (self.input_size, self.hidden_size; no dim/latent), per-gate Linears on [x, h]
class GRU(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.lin_z = nn.Linear(input_size + hidden_size, hidden_size)
        self.lin_r = nn.Linear(input_size + hidden_size, hidden_size)
        self.lin_h = nn.Linear(input_size + hidden_size, hidden_size)
        self.decoder = nn.Linear(hidden_size, output_size)
        self.gates = {}

    def init_state(self, batch):
        w = self.lin_z.weight
        return torch.zeros(batch, self.hidden_size, device=w.device, dtype=w.dtype)

    def hidden(self, state):
        return state

    def one_step(self, x, h):
        xh = torch.cat([x, h], dim=1)
        z = torch.sigmoid(self.lin_z(xh))
        r = torch.sigmoid(self.lin_r(xh))
        h_tilde = torch.tanh(self.lin_h(torch.cat([x, r * h], dim=1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * h_tilde

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.size(1))
        outputs = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            outputs.append(h)
        return torch.stack(outputs, dim=0)

    def decode(self, h):
        return self.decoder(h)
