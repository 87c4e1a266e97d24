"""Chargement du texte : vocabulaire, TextDataset, pad_collate_fn (fichier du TP, completé)."""
import re
import string
import sys
import unicodedata

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

PAD_IX = 0
EOS_IX = 1

LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
id2lettre = dict(zip(range(2, len(LETTRES) + 2), LETTRES))
id2lettre[PAD_IX] = "<PAD>"
id2lettre[EOS_IX] = "<EOS>"
lettre2id = {c: i for i, c in id2lettre.items()}
VOCAB_SIZE = len(id2lettre)


def normalize(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if c in LETTRES)


def string2code(s: str) -> torch.Tensor:
    return torch.tensor([lettre2id[c] for c in normalize(s)], dtype=torch.long)


def code2string(t) -> str:
    codes = t.tolist() if isinstance(t, torch.Tensor) else list(t)
    out = []
    for c in codes:
        if c == EOS_IX:
            break
        if c != PAD_IX:
            out.append(id2lettre[c])
    return "".join(out)


class TextDataset(Dataset):
    def __init__(self, text: str, *, maxsent=None, maxlen=None):
        maxlen = maxlen or sys.maxsize
        pieces = (re.sub(r"\s+", " ", p[:maxlen]).strip() for p in text.split("."))
        self.sentences = [p + "." for p in pieces if p][:maxsent]

    def __len__(self):
        return len(self.sentences)

    def __getitem__(self, i):
        return string2code(self.sentences[i])


def pad_collate_fn(samples):
    # EOS a la fin de chaque phrase puis padding ; pad_sequence renvoie (L, B) par defaut
    with_eos = [torch.cat([s, torch.tensor([EOS_IX], dtype=torch.long)]) for s in samples]
    return pad_sequence(with_eos, padding_value=PAD_IX)


if __name__ == "__main__":
    test = "C'est. Un. Test."
    ds = TextDataset(test)
    data = next(iter(DataLoader(ds, collate_fn=pad_collate_fn, batch_size=3)))
    print(data)
    assert data.shape == (7, 3)
    assert data[5, 2] == EOS_IX
    assert (data[4:, 1] == 0).all()
    print(" ".join(code2string(s) for s in data.t()))
