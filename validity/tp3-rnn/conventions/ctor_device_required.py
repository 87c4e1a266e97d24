# convention: constructor RNN(dim, latent, output, device) — a required device argument, the model moves itself there
class RNN(nn.Module):
    def __init__(self, dim, latent, output, device):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.device = device
        self.input2hidden = nn.Linear(dim, latent)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)
        self.to(device)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype, device=x.device)
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.hidden2output(h)
