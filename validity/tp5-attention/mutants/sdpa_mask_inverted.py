# lose: Q2, Q3
# message: tp5_sdpa_mask_inverted
# why: follows nn.MultiheadAttention's boolean attn_mask (True = forbidden) instead of the lab's (True = allowed)
def scaled_dot_product_attention(Q, K, V, mask=None):
    scale = 1.0 / math.sqrt(Q.shape[-1])
    scores = torch.einsum("ibd,jbd->bij", Q, K) * scale
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.einsum("bij,jbd->ibd", weights, V), weights
