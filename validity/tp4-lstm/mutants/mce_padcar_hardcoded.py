# lose: Q2
# message: tp4_mce_padcar_ignored
# why: masks PAD_IX (0) whatever padcar says
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.flatten(0, 1), target.flatten(), reduction="none")
    mask = (target.flatten() != PAD_IX).float()
    return (losses * mask).sum() / mask.sum()
