# lose: Q4
# message: tp4_build_pipeline
# why: builds the model with (latent, dim, vocab_size) instead of (dim, latent, vocab_size)
def build_model(cell, vocab_size, dim, latent):
    models = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in models:
        raise ValueError(cell)
    return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), models[cell](latent, dim, vocab_size)
