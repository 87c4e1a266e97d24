# target: textloader.py
# lose: Q1
# message: tp4_pad_no_eos
# why: pads the samples with pad_sequence but forgets to append EOS (and so has no extra row)
def pad_collate_fn(samples):
    return torch.nn.utils.rnn.pad_sequence(samples, padding_value=PAD_IX)
