# convention: score_dot returns its scores batch-first (B, L) (bmm on batch-first tensors, not transposed back)
# price: Q1=0.5
def score_dot(s, h):
    # (B, L, H) @ (B, H, 1) -> (B, L)
    return torch.bmm(h.transpose(0, 1), s.unsqueeze(2)).squeeze(2)
