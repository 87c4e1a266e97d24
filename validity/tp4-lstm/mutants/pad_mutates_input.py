# target: textloader.py
# lose: Q1
# message: tp4_pad_mutates_input
# why: appends EOS to each sample in place (resize_), which changes the dataset's cached codes at every epoch
def pad_collate_fn(samples):
    for s in samples:
        n = len(s)
        s.resize_(n + 1)
        s[n] = EOS_IX
    return torch.nn.utils.rnn.pad_sequence(samples, padding_value=PAD_IX)
