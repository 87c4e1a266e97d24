# lose: Q6
# message: tp5_sample_multiplied
# why: multiplies the logits by the temperature instead of dividing (a high temperature sharpens)
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits * temperature, dim=-1)
    return torch.multinomial(probs.reshape(-1, logits.shape[-1]), 1).reshape(logits.shape[:-1])
