# why: raw nn.Parameters in the course's layout, U (H, d), W (H, H), V (C, H), used as x @ U.T; softmax by hand
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Parameter(torch.randn(latent, dim) / dim ** 0.5)
        self.W = nn.Parameter(torch.randn(latent, latent) / latent ** 0.5)
        self.b_h = nn.Parameter(torch.zeros(latent))
        self.V = nn.Parameter(torch.randn(n_classes, latent) / latent ** 0.5)
        self.b_y = nn.Parameter(torch.zeros(n_classes))

    def forward(self, x):
        h = torch.zeros_like(x[0, :, :1]).expand(-1, self.latent)
        for x_t in x:
            h = torch.clamp(x_t @ self.U.T + h @ self.W.T + self.b_h, min=0)
        scores = h @ self.V.T + self.b_y
        scores = scores - scores.max(dim=1, keepdim=True).values
        return scores.exp() / scores.exp().sum(dim=1, keepdim=True)
