# lose: Ex2-Q1
# message: td3_missing_bias
# why: every Linear declared with bias=False, as in exercise 1, so b_h and b_y are missing
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent, bias=False)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes, bias=False)

    def forward(self, x):
        h = x.new_zeros(x.shape[1], self.latent)
        for x_t in x:
            h = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h), dim=1)
