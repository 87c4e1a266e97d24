# why: GRU whose constructor calls super().__init__ (the RNN's W stays, unused) and names its own layers differently
class GRU(RNN):
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.gates = {}
        self.update_gate = nn.Linear(latent + dim, latent)
        self.reset_gate = nn.Linear(latent + dim, latent)
        self.candidate = nn.Linear(latent + dim, latent)

    def one_step(self, x, h):
        z = torch.sigmoid(self.update_gate(torch.cat([h, x], 1)))
        r = torch.sigmoid(self.reset_gate(torch.cat([h, x], 1)))
        return (1 - z) * h + z * torch.tanh(self.candidate(torch.cat([r * h, x], 1)))
