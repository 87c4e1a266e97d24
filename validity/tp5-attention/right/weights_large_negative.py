# why: masks by adding -1e9 (exp underflows to exactly 0), softmax written by hand with the max subtracted
def attention_weights(scores, mask=None):
    if mask is not None:
        scores = scores + (~mask).to(scores.dtype) * -1e9
    scores = scores - scores.max(dim=0, keepdim=True).values
    e = torch.exp(scores)
    return e / e.sum(dim=0, keepdim=True)
