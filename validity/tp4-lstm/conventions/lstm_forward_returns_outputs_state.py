# convention: LSTM forward(x, state=None) returns (outputs (L, B, H), (h_n, c_n)), the shape of torch.nn.LSTM's return; fused [h, x] Linear for the three sigmoid gates plus one for the candidate
# price: Q5b=0.5
class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.sig_gates = nn.Linear(latent + dim, 3 * latent)  # f, i, o
        self.candidate = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f, i, o = torch.sigmoid(self.sig_gates(hx)).chunk(3, dim=-1)
        c = f * c + i * torch.tanh(self.candidate(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c

    def forward(self, x, state=None):
        state = self.init_state(x.shape[1]) if state is None else state
        outputs = []
        for x_t in x:
            state = self.one_step(x_t, state)
            outputs.append(state[0])
        return torch.stack(outputs), state
