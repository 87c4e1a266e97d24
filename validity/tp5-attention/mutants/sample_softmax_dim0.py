# lose: Q6
# message: tp5_sample_distribution
# why: softmax(dim=0), right for a single (V,) vector but over the batch for (B, V) logits
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, dim=0)
    if probs.dim() == 1:
        return torch.multinomial(probs, 1)[0]
    return torch.multinomial(probs, 1).squeeze(-1)
