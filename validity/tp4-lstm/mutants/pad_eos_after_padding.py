# target: textloader.py
# lose: Q1
# message: tp4_pad_eos_after_padding
# why: pads every sample to the longest length first, then appends EOS as a last row (EOS after the padding)
def pad_collate_fn(samples):
    longest = max(len(s) for s in samples)
    padded = [torch.cat([s, torch.full((longest - len(s),), PAD_IX, dtype=torch.long)]) for s in samples]
    batch = torch.stack(padded, dim=1)
    return torch.cat([batch, torch.full((1, len(samples)), EOS_IX, dtype=torch.long)])
