# base: template
# why: demo — Q1 and Q2 done (scores, weights, scaled dot-product attention); the multi-head
# why: attention, the encoder, the translator and sampling not started.
def score_dot(s, h):
    return torch.einsum("bh,lbh->lb", s, h)


def score_general(s, h, W_a):
    return torch.einsum("bh,lbh->lb", s @ W_a, h)


def score_additive(s, h, v_a, W_1, W_2):
    return torch.tanh(s @ W_1.T + h @ W_2.T) @ v_a


def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=0)


def scaled_dot_product_attention(Q, K, V, mask=None):
    scores = torch.einsum("qbd,kbd->bqk", Q, K) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(-1)
    return torch.einsum("bqk,kbd->qbd", weights, V), weights
