# target: textloader.py
# lose: Q1
# message: tp4_pad_batch_first
# why: returns the batch as (B, L) (pad_sequence with batch_first=True) instead of sequence-first (L, B)
def pad_collate_fn(samples):
    with_eos = [torch.cat([s, torch.tensor([EOS_IX])]) for s in samples]
    return torch.nn.utils.rnn.pad_sequence(with_eos, batch_first=True, padding_value=PAD_IX)
