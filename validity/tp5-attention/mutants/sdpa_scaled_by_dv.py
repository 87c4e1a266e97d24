# lose: Q2
# message: tp5_sdpa_scale_dv
# why: takes the scaling dimension from V (d_v) instead of the queries and keys (d_k)
def scaled_dot_product_attention(Q, K, V, mask=None):
    q, k, v = Q.permute(1, 0, 2), K.permute(1, 0, 2), V.permute(1, 0, 2)
    scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(v.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = F.softmax(scores, dim=-1)
    return torch.bmm(w, v).permute(1, 0, 2), w
