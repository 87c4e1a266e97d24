# convention: constructor RNN(dim, latent, output, length, batch_size) — the driver's LENGTH and BATCH_SIZE required and stored, the shapes still read from x
class RNN(nn.Module):
    def __init__(self, dim, latent, output, length, batch_size):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.length, self.batch_size = length, batch_size  # kept for the logs; forward reads the real sizes from x
        self.input2hidden = nn.Linear(dim, latent)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)

    def init_state(self, batch=None):
        weight = next(self.parameters())
        batch = self.batch_size if batch is None else batch
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        length, batch = x.shape[0], x.shape[1]
        if h is None:
            h = self.init_state(batch)
        states = []
        for t in range(length):
            h = self.one_step(x[t], h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.hidden2output(h)
