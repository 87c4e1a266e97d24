# convention: batch-first input — forward reads x as (B, T, d), the DataLoader's layout, and returns (B, C) probabilities
# price: Ex2-Q1=1
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        """x : (B, T, d) -> (B, C)."""
        B, T, _ = x.shape
        h = torch.zeros(B, self.latent, dtype=x.dtype, device=x.device)
        for t in range(T):
            h = F.relu(self.U(x[:, t, :]) + self.W(h))
        return F.softmax(self.V(h), dim=1)
