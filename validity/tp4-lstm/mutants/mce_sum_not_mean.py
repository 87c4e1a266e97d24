# lose: Q2
# message: tp4_mce_sum_not_mean
# why: sums the masked losses instead of averaging them over the non-padding positions
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.flatten(0, 1), target.flatten(), reduction="none")
    return (losses * (target.flatten() != padcar)).sum()
