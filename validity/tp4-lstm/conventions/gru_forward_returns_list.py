# convention: GRU forward(x, h=None) returns a Python list of the L step tensors (B, H) instead of one stacked tensor
# price: Q5a=0.5
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_z = nn.Linear(dim + latent, latent)
        self.W_r = nn.Linear(dim + latent, latent)
        self.W = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        xh = torch.cat([x, h], dim=1)
        z = torch.sigmoid(self.W_z(xh))
        r = torch.sigmoid(self.W_r(xh))
        h_tilde = torch.tanh(self.W(torch.cat([x, r * h], dim=1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * h_tilde

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        hidden_states = []
        for t in range(len(x)):
            h = self.one_step(x[t], h)
            hidden_states.append(h)
        return hidden_states
