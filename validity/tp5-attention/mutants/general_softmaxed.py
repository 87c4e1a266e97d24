# lose: Q1
# message: tp5_formula
# why: score_general already normalises its scores with a softmax (the scores are not the weights)
def score_general(s, h, W_a):
    e = (h * (s @ W_a)[None]).sum(-1)
    return F.softmax(e, dim=0)
