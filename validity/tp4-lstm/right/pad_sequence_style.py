# target: textloader.py
# why: pad_collate_fn with torch.nn.utils.rnn.pad_sequence on the samples with EOS appended (a new tensor per sample)
def pad_collate_fn(samples):
    eos = torch.tensor([EOS_IX], dtype=torch.long)
    return torch.nn.utils.rnn.pad_sequence([torch.cat((s.long(), eos)) for s in samples], padding_value=PAD_IX)
