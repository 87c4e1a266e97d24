# convention: parameters as raw nn.Parameters in the course's orientation U (H, d), W (H, H), b_h (H, 1), V (C, H), b_y (C, 1), applied to column vectors as in the equations
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Parameter(nn.init.xavier_uniform_(torch.empty(latent, dim)))
        self.W = nn.Parameter(nn.init.xavier_uniform_(torch.empty(latent, latent)))
        self.b_h = nn.Parameter(torch.zeros(latent, 1))
        self.V = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n_classes, latent)))
        self.b_y = nn.Parameter(torch.zeros(n_classes, 1))

    def forward(self, x):
        h = torch.zeros(self.latent, x.shape[1], dtype=x.dtype, device=x.device)  # (H, B): one column per sequence
        for t in range(x.shape[0]):
            h = torch.relu(self.U @ x[t].T + self.W @ h + self.b_h)
        return torch.softmax(self.V @ h + self.b_y, dim=0).T
