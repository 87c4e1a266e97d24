# lose: Q1, Q5
# message: tp5_weights_mask_after_softmax
# why: softmax first, then the padding weights are set to zero: the weights no longer sum to 1
def attention_weights(scores, mask=None):
    alpha = torch.softmax(scores, dim=0)
    if mask is not None:
        alpha = alpha * mask
    return alpha
