# lose: Q1
# message: tp5_formula
# why: additive score that sums the tanh over its A coordinates instead of projecting with v_a
def score_additive(s, h, v_a, W_1, W_2):
    energy = torch.tanh(F.linear(s, W_1).unsqueeze(0) + F.linear(h, W_2))
    return energy.sum(dim=-1)
