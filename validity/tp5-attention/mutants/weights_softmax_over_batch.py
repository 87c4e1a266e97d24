# lose: Q1, Q5
# message: tp5_weights_wrong_axis
# why: attention_weights normalises over the batch (dim=1) instead of over the source positions
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    return torch.softmax(scores, dim=1)
