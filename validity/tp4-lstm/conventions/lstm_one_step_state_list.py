# convention: LSTM state as a Python list [h, c]: init_state returns [h, c], one_step(x, state) returns the new list [h, c]; one fused Linear(D + H, 4H) on [x, h], gates in PyTorch's order i, f, g, o
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.gates_layer = nn.Linear(dim + latent, 4 * latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        w = self.gates_layer.weight
        return [torch.zeros(batch, self.latent, device=w.device, dtype=w.dtype),
                torch.zeros(batch, self.latent, device=w.device, dtype=w.dtype)]

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state[0], state[1]
        i, f, g, o = self.gates_layer(torch.cat([x, h], dim=1)).chunk(4, dim=1)
        i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
        c_next = f * c + i * torch.tanh(g)
        h_next = o * torch.tanh(c_next)
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return [h_next, c_next]

    def forward(self, x, state=None):
        if state is None:
            state = self.init_state(x.size(1))
        hs = []
        for t in range(x.size(0)):
            state = self.one_step(x[t], state)
            hs.append(state[0])
        return torch.stack(hs)
