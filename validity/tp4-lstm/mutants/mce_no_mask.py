# lose: Q2
# message: tp4_mce_no_mask
# why: plain mean cross-entropy over every position: the padding is never masked
def maskedCrossEntropy(output, target, padcar):
    return F.cross_entropy(output.reshape(-1, output.shape[-1]), target.reshape(-1))
