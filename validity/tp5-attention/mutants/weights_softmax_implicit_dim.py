# lose: Q1, Q5
# message: tp5_weights_wrong_axis
# why: F.softmax without dim (2-D input: PyTorch picks dim=1, the batch), mask with torch.where
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    return F.softmax(scores)
