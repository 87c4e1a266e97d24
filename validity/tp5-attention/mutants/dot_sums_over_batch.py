# lose: Q1
# message: tp5_formula
# why: score_dot as h @ s.T then a sum: every position is scored against the states of the whole batch
def score_dot(s, h):
    return (h @ s.T).sum(-1)  # (L, B, B) -> (L, B)
