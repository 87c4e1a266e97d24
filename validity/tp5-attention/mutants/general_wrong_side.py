# lose: Q1
# message: student_raised
# why: score_general with W_a transposed (s^T W_a^T h), written with einsum and tried only with Hs = Hh: with Hs ≠ Hh it raises
def score_general(s, h, W_a):
    return torch.einsum("bi,ji,lbj->lb", s, W_a, h)
