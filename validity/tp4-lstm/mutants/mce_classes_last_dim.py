# lose: Q2
# message: tp4_mce_classes_last_dim
# why: passes the (L, B, V) logits straight to F.cross_entropy, which expects the classes on dimension 1
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output, target, reduction="none")
    mask = (target != padcar).float()
    return (losses * mask).sum() / mask.sum()
