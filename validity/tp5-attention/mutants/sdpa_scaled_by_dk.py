# lose: Q2, Q3
# message: tp5_sdpa_scale_dk
# why: divides the scores by d_k instead of sqrt(d_k)
def scaled_dot_product_attention(Q, K, V, mask=None):
    d_k = K.size(-1)
    scores = torch.einsum("qbd,kbd->bqk", Q, K) / d_k
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), float("-inf"))
    attn = scores.softmax(dim=-1)
    out = torch.einsum("bqk,kbd->qbd", attn, V)
    return out, attn
