# convention: pad_collate_fn returns a pair (padded (L, B) LongTensor, lengths LongTensor (B,) counting the EOS), the pack_padded_sequence habit
# target: textloader.py
# price: Q1=0.5
def pad_collate_fn(samples):
    lengths = torch.tensor([len(s) + 1 for s in samples], dtype=torch.long)  # + EOS
    padded = torch.full((int(lengths.max()), len(samples)), PAD_IX, dtype=torch.long)
    for b, s in enumerate(samples):
        padded[: len(s), b] = s
        padded[len(s), b] = EOS_IX
    return padded, lengths
