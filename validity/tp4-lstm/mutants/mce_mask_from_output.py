# lose: Q2
# message: tp4_mce_mask_from_output
# why: computes the mask from the model's predictions (output.argmax) instead of the target
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.flatten(0, 1), target.flatten(), reduction="none")
    mask = (output.argmax(dim=-1).flatten() != padcar).float()
    return (losses * mask).sum() / mask.sum()
