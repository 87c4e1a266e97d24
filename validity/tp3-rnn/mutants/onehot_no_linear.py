# lose: Q4
# message: tp3_onehot_no_linear
# why: the one-hot vectors are returned as they are, the linear layer is never applied
class OneHotLinear(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.linear = nn.Linear(vocab_size, dim)

    def forward(self, x):
        return F.one_hot(x, self.vocab_size).float()
