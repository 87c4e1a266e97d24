# target: textloader.py
# lose: Q1
# message: tp4_pad_returns_tuple
# why: returns the (input, target) pair shifted by one step instead of the single padded batch
def pad_collate_fn(samples):
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), PAD_IX, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
        batch[len(s), b] = EOS_IX
    return batch[:-1], batch[1:]
