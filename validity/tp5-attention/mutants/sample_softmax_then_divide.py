# lose: Q6
# message: tp5_sample_ignores_temperature
# why: divides the probabilities by T after the softmax: multinomial renormalises, so the temperature has no effect
def sample(logits, temperature=1.0):
    if temperature == 0:
        return torch.argmax(logits, dim=-1)
    p = torch.softmax(logits, dim=-1) / temperature
    flat = p.reshape(-1, p.shape[-1])
    return torch.multinomial(flat, num_samples=1).view(logits.shape[:-1])
