# lose: Q2, Q3
# message: tp5_batch_first
# why: works batch-first inside and forgets to transpose the output back: (B, Lq, d_v) instead of (Lq, B, d_v)
def scaled_dot_product_attention(Q, K, V, mask=None):
    Q, K, V = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = torch.matmul(Q, K.transpose(-2, -1)) / math.sqrt(Q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    p_attn = F.softmax(scores, dim=-1)
    return torch.matmul(p_attn, V), p_attn
