# convention: pad_collate_fn(samples, pad_ix=PAD_IX, eos_ix=EOS_IX, batch_first=False): extra keyword arguments with defaults that give the course's layout
# target: textloader.py
def pad_collate_fn(samples, pad_ix=PAD_IX, eos_ix=EOS_IX, batch_first=False):
    longest = max(s.numel() for s in samples)
    batch = torch.full((len(samples), longest + 1), pad_ix, dtype=torch.long)
    for b, s in enumerate(samples):
        batch[b, : s.numel()] = s
        batch[b, s.numel()] = eos_ix
    return batch if batch_first else batch.t().contiguous()
