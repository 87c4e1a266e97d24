# lose: Q2
# message: tp4_mce_softmax_first
# why: applies a softmax to the logits before F.cross_entropy (which already contains log-softmax)
def maskedCrossEntropy(output, target, padcar):
    probs = torch.softmax(output, dim=-1)
    losses = F.cross_entropy(probs.flatten(0, 1), target.flatten(), reduction="none")
    mask = (target.flatten() != padcar).float()
    return (losses * mask).sum() / mask.sum()
