# base: template
# why: demo — Q1 and Q2 done, the models and generation not started.
# target: textloader.py
def pad_collate_fn(samples):
    longest = max(len(s) for s in samples) + 1
    batch = torch.full((longest, len(samples)), PAD_IX, dtype=torch.long)
    for j, s in enumerate(samples):
        batch[: len(s), j] = s
        batch[len(s), j] = EOS_IX
    return batch
# target: notebook
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.reshape(-1, output.shape[-1]), target.reshape(-1), reduction="none")
    mask = (target.reshape(-1) != padcar).float()
    return (losses * mask).sum() / mask.sum()
