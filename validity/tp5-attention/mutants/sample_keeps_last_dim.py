# lose: Q6
# message: tp5_sample_shape
# why: returns multinomial's (B, 1) as is: the result keeps a last dimension of size 1
def sample(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1)
