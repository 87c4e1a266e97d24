# why: temperature sampling with the Gumbel-max trick (argmax of logits / T + Gumbel noise drawn with torch.rand), T <= 0 treated as greedy
def sample(logits, temperature=1.0):
    if temperature <= 0:
        return torch.argmax(logits, dim=-1)
    u = torch.rand(logits.shape, dtype=torch.float64).clamp_(1e-12, 1 - 1e-12)
    gumbel = -torch.log(-torch.log(u))
    return torch.argmax(logits.double() / temperature + gumbel, dim=-1)
