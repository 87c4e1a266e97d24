# lose: Q1, Q5
# message: tp5_additive_no_tanh
# why: additive score without the tanh: v_a^T (W_1 s + W_2 h), a linear score
def score_additive(s, h, v_a, W_1, W_2):
    return ((s @ W_1.T).unsqueeze(0) + h @ W_2.T) @ v_a
