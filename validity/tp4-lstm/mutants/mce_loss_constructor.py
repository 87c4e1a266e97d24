# lose: Q2
# message: tp4_mce_loss_module
# why: builds nn.CrossEntropyLoss(ignore_index=padcar) and returns the module instead of calling it on (output, target)
def maskedCrossEntropy(output, target, padcar):
    return nn.CrossEntropyLoss(ignore_index=padcar, reduction="mean")
