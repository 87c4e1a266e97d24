# lose: Q1, Q5
# message: student_raised
# why: W_1 applied to the encoder states and W_2 to the decoder state (written and tried with Hs = Hh only: with Hs ≠ Hh it raises, in the grader as in the notebook)
def score_additive(s, h, v_a, W_1, W_2):
    keys = h @ W_1.T
    query = s @ W_2.T
    return torch.tanh(keys + query[None]) @ v_a
