# lose: Q2
# message: tp4_mce_all_positions
# why: masks the padding but divides by every position (padding included): losses.mean() after masking
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.flatten(0, 1), target.flatten(), reduction="none")
    return (losses * (target.flatten() != padcar)).mean()
