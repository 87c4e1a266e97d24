# lose: Q2, Q3
# message: tp5_sdpa_mask_after_softmax
# why: applies the mask to the weights after the softmax (masked weights 0, rows no longer sum to 1)
def scaled_dot_product_attention(Q, K, V, mask=None):
    d_k = Q.shape[-1]
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d_k), dim=-1)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    return (weights @ v).transpose(0, 1), weights
