# target: textloader.py
# lose: Q1
# message: tp4_pad_dtype
# why: builds the batch with torch.zeros (float32 by default) and returns floats
def pad_collate_fn(samples):
    length = max(len(s) for s in samples) + 1
    batch = torch.zeros(length, len(samples))
    for b, s in enumerate(samples):
        batch[: len(s), b] = s
        batch[len(s), b] = EOS_IX
    return batch
