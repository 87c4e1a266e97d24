# convention: sample written for one vector of logits (V,) only, returning a Python int (.item()); greedy through argmax
# price: Q6=0.75
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1).item()
