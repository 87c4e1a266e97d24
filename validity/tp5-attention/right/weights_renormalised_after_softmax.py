# why: softmax first, then the padding zeroed and the weights renormalised (the same distribution as the masked softmax)
def attention_weights(scores, mask=None):
    alpha = torch.softmax(scores, dim=0)
    if mask is None:
        return alpha
    alpha = alpha * mask.to(alpha.dtype)
    return alpha / alpha.sum(dim=0, keepdim=True)
