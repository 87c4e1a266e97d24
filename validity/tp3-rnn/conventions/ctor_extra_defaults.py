# convention: constructor RNN(dim, latent, output, batch_size=32, length=20, device=device) — extra driver arguments with defaults, parameters created on that device
class RNN(nn.Module):
    def __init__(self, dim, latent, output, batch_size=32, length=20, device=device):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.batch_size, self.length, self.device = batch_size, length, device
        self.input2hidden = nn.Linear(dim, latent, device=device)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False, device=device)
        self.hidden2output = nn.Linear(latent, output, device=device)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.hidden2output(h)
