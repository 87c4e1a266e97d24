# lose: Q2
# message: tp4_mce_no_reduction
# why: returns the masked per-position losses (L, B) without reducing them to a scalar
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.permute(0, 2, 1), target, reduction="none")
    return losses * (target != padcar)
