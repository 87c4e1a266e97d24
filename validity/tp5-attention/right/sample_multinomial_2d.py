# why: temperature sampling with multinomial on a 2-D view (atleast_2d), log_softmax then exp, squeeze at the end
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.max(dim=-1).indices
    probs = torch.log_softmax(logits / temperature, dim=-1).exp()
    draws = torch.multinomial(torch.atleast_2d(probs), num_samples=1, replacement=True)
    return draws.view(logits.shape[:-1])
