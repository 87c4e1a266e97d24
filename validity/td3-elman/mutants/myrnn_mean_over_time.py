# lose: Ex2-Q1
# message: td3_order_ignored
# why: averages the per-step projections over time (mean pooling) instead of a recurrence, so the order is lost
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        h = torch.relu(self.W(torch.relu(self.U(x)).mean(dim=0)))
        return torch.softmax(self.V(h), dim=1)
