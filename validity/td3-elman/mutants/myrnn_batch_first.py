# lose: Ex2-Q1
# message: td3_batch_first
# why: reads x as (B, T, d) like a DataLoader batch instead of the tutorial's (T, B, d)
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        batch, length, _ = x.shape
        h = torch.zeros(batch, self.latent, dtype=x.dtype, device=x.device)
        for t in range(length):
            h = torch.relu(self.U(x[:, t]) + self.W(h))
        return torch.softmax(self.V(h), dim=1)
