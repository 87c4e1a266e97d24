# lose: Q1, Q5
# message: tp5_weights_mask_zero
# why: the padding scores are set to 0 instead of -inf: padding still gets exp(0) of the mass
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    return torch.softmax(scores, dim=0)
