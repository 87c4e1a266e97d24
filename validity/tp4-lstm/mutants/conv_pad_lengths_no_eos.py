# target: textloader.py
# lose: Q1
# message: tp4_pad_no_eos
# why: pad_collate_fn returning (padded, lengths) whose batch has no EOS: columns are padded to the longest sample only
def pad_collate_fn(samples):
    lengths = torch.tensor([len(s) for s in samples])
    padded = torch.full((int(lengths.max()), len(samples)), PAD_IX, dtype=torch.long)
    for b, s in enumerate(samples):
        padded[: len(s), b] = s
    return padded, lengths
