# why: scores computed batch-first with bmm and transposed back; general score as h W_a^T dotted with s; F.linear for the additive score
def score_dot(s, h):
    hb = h.permute(1, 0, 2)  # (B, L, H)
    return torch.bmm(hb, s.unsqueeze(-1)).squeeze(-1).t()


def score_general(s, h, W_a):
    return ((h @ W_a.T) * s).sum(dim=-1)


def score_additive(s, h, v_a, W_1, W_2):
    return F.linear(torch.tanh(F.linear(h, W_2) + F.linear(s, W_1)), v_a.unsqueeze(0)).squeeze(-1)


def attention_weights(scores, mask=None):
    scores = scores.clone()
    if mask is not None:
        scores[~mask] = float("-inf")
    return scores.softmax(dim=0)
