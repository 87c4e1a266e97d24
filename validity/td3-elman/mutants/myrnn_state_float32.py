# lose: Ex2-Q1
# message: td3_state_dtype
# why: initial state created with torch.zeros(B, H), float32 whatever the input's dtype
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        h = torch.zeros(x.shape[1], self.latent)
        for x_t in x:
            h = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h), dim=1)
