# lose: Ex2-Q1
# message: td3_uses_nn_rnn
# why: wraps the forbidden nn.RNN (ReLU) instead of writing the recurrence
class myRNN(nn.Module):
    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        self.rnn = nn.RNN(dim, latent, nonlinearity="relu")
        self.V = nn.Linear(latent, n_classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return torch.softmax(self.V(h[-1]), dim=1)
