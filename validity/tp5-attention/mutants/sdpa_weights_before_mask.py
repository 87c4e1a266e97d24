# lose: Q2, Q3
# message: tp5_sdpa_values
# why: returns the weights of the unmasked scores (computed for plotting before the mask), the output itself is right
def scaled_dot_product_attention(Q, K, V, mask=None):
    d_k = Q.shape[-1]
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    attn = torch.softmax(scores, dim=-1)
    return (attn @ v).transpose(0, 1), weights
