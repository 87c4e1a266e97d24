# convention: GRU forward(x, h=None) returns a tuple (outputs (L, B, H), last h (B, H)), like torch.nn.GRU
# price: Q5a=0.5
class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W(torch.cat([r * h, x], dim=-1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * candidate

    def forward(self, x, h=None):
        h = self.init_state(x.shape[1]) if h is None else h
        outputs = []
        for x_t in x:
            h = self.one_step(x_t, h)
            outputs.append(h)
        return torch.stack(outputs), h
