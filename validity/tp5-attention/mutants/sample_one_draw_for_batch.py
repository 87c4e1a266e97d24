# lose: Q6
# message: tp5_sample_rows_not_independent
# why: draws one index from the first row and uses it for the whole batch
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    if probs.dim() == 1:
        return torch.multinomial(probs, 1).squeeze(0)
    idx = torch.multinomial(probs[0], 1)
    return idx.expand(probs.shape[0]).clone()
