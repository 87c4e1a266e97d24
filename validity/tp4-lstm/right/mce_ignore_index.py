# why: maskedCrossEntropy through nn.CrossEntropyLoss(ignore_index=padcar), whose "mean" is over the non-ignored positions
def maskedCrossEntropy(output, target, padcar):
    loss = nn.CrossEntropyLoss(ignore_index=padcar)
    return loss(output.view(-1, output.size(-1)), target.view(-1))
