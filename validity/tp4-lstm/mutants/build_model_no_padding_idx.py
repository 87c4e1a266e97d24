# lose: Q4
# message: tp4_build_padding_idx
# why: creates nn.Embedding(vocab_size, dim) without padding_idx=PAD_IX
def build_model(cell, vocab_size, dim, latent):
    models = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in models:
        raise ValueError(cell)
    return nn.Embedding(vocab_size, dim), models[cell](dim, latent, vocab_size)
