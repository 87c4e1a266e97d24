# why: maskedCrossEntropy with the classes moved to dimension 1 by permute, mask as a bool, mean via masked_select
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.permute(0, 2, 1), target, reduction="none")  # (L, B)
    return losses.masked_select(target != padcar).mean()
