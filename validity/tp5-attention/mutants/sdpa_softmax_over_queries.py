# lose: Q2, Q3
# message: tp5_sdpa_softmax_axis
# why: softmax over the queries (dim=1 of (B, Lq, Lk)) instead of over the keys
def scaled_dot_product_attention(Q, K, V, mask=None):
    d_k = Q.shape[-1]
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=1)
    return (weights @ v).transpose(0, 1), weights
