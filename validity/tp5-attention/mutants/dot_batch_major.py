# lose: Q1
# message: tp5_scores_transposed
# why: score_dot with bmm on batch-first tensors, forgets to put the result back sequence-first: (B, L) instead of (L, B)
def score_dot(s, h):
    # (B, L, H) @ (B, H, 1) -> (B, L)
    return torch.bmm(h.transpose(0, 1), s.unsqueeze(2)).squeeze(2)
