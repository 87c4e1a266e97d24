# lose: Q4
# message: tp4_build_not_embedding
# why: keeps the one-hot encoding of the RNN lab (a module that builds one-hot vectors) instead of nn.Embedding
class OneHot(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.vocab_size = vocab_size

    def forward(self, codes):
        return F.one_hot(codes, self.vocab_size).float()


def build_model(cell, vocab_size, dim, latent):
    models = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in models:
        raise ValueError(cell)
    return OneHot(vocab_size), models[cell](vocab_size, latent, vocab_size)
