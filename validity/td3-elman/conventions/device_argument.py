# convention: constructor myRNN(dim, latent, n_classes, device=None) — an extra device argument with a default, parameters created there
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes, device=None):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.device = device
        self.U = nn.Linear(dim, latent, device=device)
        self.W = nn.Linear(latent, latent, bias=False, device=device)
        self.V = nn.Linear(latent, n_classes, device=device)

    def forward(self, x):
        h = torch.zeros(x.shape[1], self.latent, dtype=x.dtype, device=x.device)
        for x_t in x:
            h = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h), dim=-1)
