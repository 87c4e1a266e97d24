# lose: Ex2-Q1
# message: td3_layout_unknown
# why: U kept as one flat vector (unidentifiable layout) and tanh instead of ReLU
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.u_flat = nn.Parameter(torch.randn(latent * dim) / dim ** 0.5)
        self.b = nn.Parameter(torch.zeros(latent))
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        U = self.u_flat.view(self.latent, self.dim)
        h = x.new_zeros(x.shape[1], self.latent)
        for x_t in x:
            h = torch.tanh(x_t @ U.T + self.b + self.W(h))
        return torch.softmax(self.V(h), dim=1)
