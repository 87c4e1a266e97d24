# lose: Q2, Q3
# message: tp5_sdpa_no_scale
# why: scaled dot-product attention without the 1/sqrt(d_k) factor
def scaled_dot_product_attention(Q, K, V, mask=None):
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = q @ k.transpose(1, 2)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v).transpose(0, 1), weights
