# lose: Q1, Q5
# message: tp5_weights_masked_not_zero
# why: masks by subtracting 30 from the padding scores: their weights are small (about e^-30) but not exactly 0
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores - 30.0 * (~mask).to(scores.dtype)
    return torch.softmax(scores, dim=0)
