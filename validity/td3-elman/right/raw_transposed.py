# why: raw Parameters stored transposed, U (d, H), W used as h @ W, V (H, C), biases as (1, H) and (1, C) rows
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.Wxh = nn.Parameter(0.3 * torch.randn(dim, latent))
        self.Whh = nn.Parameter(0.3 * torch.randn(latent, latent))
        self.bh = nn.Parameter(torch.zeros(1, latent))
        self.Why = nn.Parameter(0.3 * torch.randn(latent, n_classes))
        self.by = nn.Parameter(torch.zeros(1, n_classes))

    def forward(self, x):
        h = x.new_zeros(x.size(1), self.latent)
        for t in range(x.size(0)):
            h = F.relu(x[t] @ self.Wxh + h @ self.Whh + self.bh)
        return torch.softmax(h @ self.Why + self.by, 1)
