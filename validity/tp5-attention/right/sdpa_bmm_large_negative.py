# why: scaled dot-product attention with permute and bmm, the scale applied to Q first, the mask as -1e9 added then the masked weights set to zero
def scaled_dot_product_attention(Q, K, V, mask=None):
    Lq, B, dk = Q.size()
    q = (Q / dk**0.5).permute(1, 0, 2)
    k = K.permute(1, 2, 0)  # (B, dk, Lk)
    v = V.permute(1, 0, 2)
    e = torch.bmm(q, k)
    if mask is not None:
        m = mask.expand_as(e)
        e = e.masked_fill(~m, -1e9)
    a = torch.softmax(e, dim=2)
    if mask is not None:
        a = a * m
    return torch.bmm(a, v).permute(1, 0, 2), a
