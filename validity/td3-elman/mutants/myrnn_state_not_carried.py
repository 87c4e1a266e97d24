# lose: Ex2-Q1
# message: td3_state_not_carried
# why: the new state goes to another variable and h stays at zero, so nothing is remembered
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        h = x.new_zeros(x.shape[1], self.latent)
        for x_t in x:
            h_new = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h_new), dim=1)
