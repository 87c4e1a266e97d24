# lose: Q1
# message: tp5_general_transposed
# why: score_general with W_a transposed (s^T W_a^T h), written with einsum and tried only with Hs = Hh
def score_general(s, h, W_a):
    return torch.einsum("bi,ji,lbj->lb", s, W_a, h)
