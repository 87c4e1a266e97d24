# lose: Q2, Q3
# message: tp5_sdpa_one_output
# why: returns only the output tensor, not the (output, weights) pair
def scaled_dot_product_attention(Q, K, V, mask=None):
    d_k = Q.shape[-1]
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v).transpose(0, 1)
