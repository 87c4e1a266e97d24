# why: the three scores with torch.einsum, the mask applied with torch.where and a -inf tensor
def score_dot(s, h):
    return torch.einsum("bd,lbd->lb", s, h)


def score_general(s, h, W_a):
    return torch.einsum("bi,ij,lbj->lb", s, W_a, h)


def score_additive(s, h, v_a, W_1, W_2):
    energy = torch.tanh(torch.einsum("ai,bi->ba", W_1, s)[None] + torch.einsum("aj,lbj->lba", W_2, h))
    return torch.einsum("lba,a->lb", energy, v_a)


def attention_weights(scores, mask=None):
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    return torch.softmax(scores, dim=0)
