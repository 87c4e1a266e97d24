# lose: Ex2-Q1
# message: td3_params_missing
# why: W created as a plain tensor attribute, not an nn.Parameter: it is never trained
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = torch.randn(latent, latent) / latent ** 0.5
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        h = x.new_zeros(x.shape[1], self.latent)
        for x_t in x:
            h = torch.relu(self.U(x_t) + h @ self.W.to(x.dtype).T)
        return torch.softmax(self.V(h), dim=1)
