import sys
import unicodedata
import string
from typing import List
from torch.utils.data import Dataset, DataLoader
import torch
import re

## Token de padding (BLANK)
PAD_IX = 0
## Token de fin de séquence
EOS_IX = 1

LETTRES = string.ascii_letters + string.punctuation + string.digits + ' '
id2lettre = dict(zip(range(2, len(LETTRES) + 2), LETTRES))
id2lettre[PAD_IX] = '<PAD>'  ##NULL CHARACTER
id2lettre[EOS_IX] = '<EOS>'
lettre2id = dict(zip(id2lettre.values(), id2lettre.keys()))


def normalize(s):
    """ enlève les accents et les caractères spéciaux"""
    return ''.join(c for c in unicodedata.normalize('NFD', s) if c in LETTRES)


def string2code(s):
    """prend une séquence de lettres et renvoie la séquence d'entiers correspondantes"""
    return torch.tensor([lettre2id[c] for c in normalize(s)])


def code2string(t):
    """ prend une séquence d'entiers et renvoie la séquence de lettres correspondantes """
    if type(t) != list:
        t = t.tolist()
    return ''.join(id2lettre[i] for i in t)


class TextDataset(Dataset):
    def __init__(self, text: str, *, maxsent=None, maxlen=None):
        """  Dataset pour les tweets de Trump
            * fname : nom du fichier
            * maxsent : nombre maximum de phrases.
            * maxlen : longueur maximale des phrases.
        """
        maxlen = maxlen or sys.maxsize
        self.phrases = [re.sub(' +', ' ', p[:maxlen]).strip() + "." for p in text.split(".") if len(re.sub(' +', ' ', p[:maxlen]).strip()) > 0]
        if maxsent is not None:
            self.phrases = self.phrases[:maxsent]
        self.maxlen = max([len(p) for p in self.phrases])

    def __len__(self):
        return len(self.phrases)

    def __getitem__(self, i):
        return string2code(self.phrases[i])


def pad_collate_fn(samples: List[List[int]]):
    #  TODO:  Renvoie un batch à partir d'une liste de listes d'indexes (de phrases) qu'il faut padder.
    size = max(map(len, samples)) + 1
    out = []
    for s in samples:
        s = s.tolist() + [EOS_IX]
        out.append(s + [PAD_IX] * (size - len(s)))
    return torch.tensor(out, dtype=torch.long).t()


if __name__ == "__main__":
    # petit test sur trois phrases
    phrase = "C'est. Un. Test."
    batch = next(iter(DataLoader(TextDataset(phrase), collate_fn=pad_collate_fn, batch_size=3)))
    print(phrase, "->", batch.shape)
    assert batch.shape == (7, 3)
    assert batch[5, 2] == EOS_IX
    assert (batch[4:, 1] == PAD_IX).all()
    retour = " ".join(code2string(col).replace("<PAD>", "").replace("<EOS>", "") for col in batch.t())
    assert retour == phrase, retour
    print("OK")
