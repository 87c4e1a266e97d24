# lose: Q2
# message: tp5_sdpa_uses_torch
# why: the output from F.scaled_dot_product_attention, the weights recomputed beside it for the return value
def scaled_dot_product_attention(Q, K, V, mask=None):
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return out.transpose(0, 1), scores.softmax(-1)
