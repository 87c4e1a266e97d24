# why: temperature sampling with torch.distributions.Categorical(logits=...), a tiny temperature treated as greedy
def sample(logits, temperature=1.0):
    if temperature < 1e-6:
        return logits.argmax(dim=-1)
    return torch.distributions.Categorical(logits=logits / temperature).sample()
