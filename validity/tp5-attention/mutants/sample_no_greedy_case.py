# lose: Q6
# message: student_raised
# why: no special case for temperature == 0: logits / 0 gives inf and nan, multinomial fails
def sample(logits, temperature=1.0):
    probs = torch.softmax(logits / temperature, dim=-1)
    flat = probs.reshape(-1, logits.shape[-1])
    return torch.multinomial(flat, 1).reshape(logits.shape[:-1])
