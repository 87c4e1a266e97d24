# lose: Ex2-Q1
# message: td3_softmax_dim
# why: softmax over dim=0, the batch, instead of the classes
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
            h = torch.relu(self.U(x_t) + self.W(h))
        return F.softmax(self.V(h), dim=0)
