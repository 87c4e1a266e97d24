# convention: sample(logits, T=1.0): the temperature under another name, greedy for T == 0
# price:
def sample(logits, T=1.0):
    if T == 0:
        return logits.argmax(-1)
    p = F.softmax(logits / T, dim=-1)
    return torch.multinomial(p.view(-1, p.size(-1)), 1).view(p.shape[:-1])
