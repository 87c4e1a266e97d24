# lose: Q1, Q5
# message: tp5_formula
# why: additive score with one tanh per term, v_a^T (tanh(W_1 s) + tanh(W_2 h))
def score_additive(s, h, v_a, W_1, W_2):
    a = torch.tanh(s @ W_1.t())        # (B, A)
    b = torch.tanh(h @ W_2.t())        # (L, B, A)
    return (a + b) @ v_a
