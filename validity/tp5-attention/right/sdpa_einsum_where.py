# why: scaled dot-product attention with einsum (no transposes), torch.where for the mask, scale multiplied
def scaled_dot_product_attention(Q, K, V, mask=None):
    scale = Q.shape[-1] ** -0.5
    scores = torch.einsum("qbd,kbd->bqk", Q, K) * scale
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    weights = scores.softmax(dim=-1)
    output = torch.einsum("bqk,kbd->qbd", weights, V)
    return output, weights
