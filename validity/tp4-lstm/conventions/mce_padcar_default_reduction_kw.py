# convention: maskedCrossEntropy(output, target, padcar=PAD_IX, reduction="mean"): padcar has a default and an extra reduction keyword ("mean" by default, "sum" available)
def maskedCrossEntropy(output, target, padcar=PAD_IX, reduction="mean"):
    mask = target != padcar
    losses = F.cross_entropy(output.transpose(1, 2), target, reduction="none")  # (L, B)
    total = (losses * mask).sum()
    if reduction == "sum":
        return total
    return total / mask.sum().clamp(min=1)
