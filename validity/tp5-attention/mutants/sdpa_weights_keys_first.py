# lose: Q2, Q3
# message: tp5_sdpa_weights_shape
# why: scores computed as K Q^T (B, Lk, Lq) with the softmax over the keys (dim=1): the output is right, the returned weights are (B, Lk, Lq)
def scaled_dot_product_attention(Q, K, V, mask=None):
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = torch.bmm(k, q.transpose(1, 2)) / math.sqrt(Q.shape[-1])  # (B, Lk, Lq)
    if mask is not None:
        scores = scores.masked_fill(~mask.expand(q.shape[0], q.shape[1], k.shape[1]).transpose(1, 2), float("-inf"))
    alpha = torch.softmax(scores, dim=1)
    out = torch.bmm(alpha.transpose(1, 2), v)
    return out.transpose(0, 1), alpha
