# lose: Q4
# message: tp3_onehot_num_classes
# why: F.one_hot(x) without num_classes: the width is max(x) + 1, which breaks the Linear on most batches
class OneHotLinear(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.linear = nn.Linear(vocab_size, dim)

    def forward(self, x):
        return self.linear(F.one_hot(x).float())
