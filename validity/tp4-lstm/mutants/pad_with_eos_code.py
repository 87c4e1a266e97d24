# target: textloader.py
# lose: Q1
# message: tp4_pad_wrong_pad_code
# why: fills the batch with EOS_IX instead of PAD_IX (so the loss cannot tell padding from the end of sentence)
def pad_collate_fn(samples):
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), EOS_IX, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
    return batch
