import sys
import unicodedata
import string
import re
from typing import List
import torch
from torch.utils.data import Dataset, DataLoader

## Token de padding (BLANK)
PAD_IX = 0
## Token de fin de séquence
EOS_IX = 1

LETTRES = string.ascii_letters + string.punctuation + string.digits + ' '
id2lettre = dict(zip(range(2, len(LETTRES) + 2), LETTRES))
id2lettre[PAD_IX] = '<PAD>'  ##NULL CHARACTER
id2lettre[EOS_IX] = '<EOS>'
lettre2id = dict(zip(id2lettre.values(), id2lettre.keys()))
VOCAB_SIZE = len(id2lettre)


def normalize(s):
    """ enlève les accents et les caractères spéciaux"""
    return ''.join(c for c in unicodedata.normalize('NFD', s) if c in LETTRES)


def string2code(s):
    """prend une séquence de lettres et renvoie la séquence d'entiers correspondantes"""
    return torch.tensor([lettre2id[c] for c in normalize(s)], dtype=torch.long)


def code2string(t):
    """ prend une séquence d'entiers et renvoie la séquence de lettres correspondantes
    (on saute le padding et on s'arrete au premier EOS) """
    if type(t) != list:
        t = t.tolist()
    res = []
    for i in t:
        if i == EOS_IX:
            break
        if i != PAD_IX:
            res.append(id2lettre[i])
    return ''.join(res)


class TextDataset(Dataset):
    def __init__(self, text: str, *, maxsent=None, maxlen=None):
        """  Dataset pour les tweets de Trump
            * fname : nom du fichier
            * maxsent : nombre maximum de phrases.
            * maxlen : longueur maximale des phrases.
        """
        maxlen = maxlen or sys.maxsize
        self.phrases = [re.sub(r'\s+', ' ', p[:maxlen]).strip() + "." for p in text.split(".") if re.sub(r'\s+', ' ', p[:maxlen]).strip()]
        if maxsent is not None:
            self.phrases = self.phrases[:maxsent]
        self.sentences = self.phrases
        self.maxlen = maxlen

    def __len__(self):
        return len(self.phrases)

    def __getitem__(self, i):
        return string2code(self.phrases[i])


def pad_collate_fn(samples: List[List[int]]):
    # on ajoute la place pour le EOS
    maxlen = max(len(s) for s in samples) + 1
    batch = torch.zeros(maxlen, len(samples), dtype=torch.long)  # PAD_IX vaut 0
    for i, s in enumerate(samples):
        batch[:len(s), i] = s
        batch[len(s), i] = EOS_IX
    return batch


# test du sujet
test = "C'est. Un. Test."
ds = TextDataset(test)
loader = DataLoader(ds, collate_fn=pad_collate_fn, batch_size=3)
data = next(iter(loader))
print("Chaîne à code : ", test)
# Longueur maximum
assert data.shape == (7, 3)
print("Shape ok")
# e dans les deux cas
assert data[2, 0] == data[1, 2]
print("encodage OK")
# Token EOS présent
assert data[5, 2] == EOS_IX
print("Token EOS ok")
# BLANK présent
assert (data[4:, 1] == 0).sum() == data.shape[0] - 4
print("Token BLANK ok")
# les chaînes sont identiques
s_decode = " ".join([code2string(s).replace(id2lettre[PAD_IX], "").replace(id2lettre[EOS_IX], "") for s in data.t()])
print("Chaîne décodée : ", s_decode)
assert test == s_decode
