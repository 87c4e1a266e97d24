# target: textloader.py
# lose: Q1
# message: tp4_pad_dtype
# why: asks for dtype=torch.int (int32) instead of torch.long
def pad_collate_fn(samples):
    length = max(len(s) for s in samples) + 1
    batch = torch.full((length, len(samples)), PAD_IX, dtype=torch.int)
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
        batch[len(s), b] = EOS_IX
    return batch
