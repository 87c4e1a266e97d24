# lose: Q1
# message: tp5_no_gradient
# why: score_dot goes through .detach() (a leftover from printing): no gradient reaches s and h
def score_dot(s, h):
    scores = torch.einsum("bh,lbh->lb", s.detach(), h.detach())
    return scores
