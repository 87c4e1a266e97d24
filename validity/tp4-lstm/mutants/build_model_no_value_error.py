# lose: Q4
# message: tp4_build_no_value_error
# why: falls back to the LSTM for any unknown cell name instead of raising ValueError
def build_model(cell, vocab_size, dim, latent):
    models = {"rnn": RNN, "gru": GRU}
    return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), models.get(cell, LSTM)(dim, latent, vocab_size)
