# lose: Ex2-Q1
# message: td3_off_by_one
# why: the list of states starts with h_0 and the decoder reads states[-2], one step too early
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.U = nn.Linear(dim, latent)
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        states = [x.new_zeros(x.shape[1], self.latent)]
        for x_t in x:
            states.append(torch.relu(self.U(x_t) + self.W(states[-1])))
        return torch.softmax(self.V(states[-2]), dim=1)
