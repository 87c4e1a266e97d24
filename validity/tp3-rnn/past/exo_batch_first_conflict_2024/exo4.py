import string
import unicodedata
import torch
import sys
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

from utils import RNN, device

## Liste des symboles autorisés
LETTRES = string.ascii_letters + string.punctuation + string.digits + ' '
## Dictionnaire index -> lettre
id2lettre = dict(zip(range(1, len(LETTRES) + 1), LETTRES))
id2lettre[0] = ''  ##NULL CHARACTER
## Dictionnaire lettre -> index
lettre2id = dict(zip(id2lettre.values(), id2lettre.keys()))


def normalize(s):
    """ Nettoyage d'une chaîne de caractères. """
    return ''.join(c for c in unicodedata.normalize('NFD', s) if c in LETTRES)


def string2code(s):
    """ Transformation d'une chaîne de caractère en tenseur d'indexes """
    return torch.tensor([lettre2id[c] for c in normalize(s)])


def code2string(t):
    """ Transformation d'une liste d'indexes en chaîne de caractères """
    if type(t) != list:
        t = t.tolist()
    return ''.join(id2lettre[i] for i in t)


class TrumpDataset(Dataset):
    def __init__(self, text, maxsent=None, maxlen=None):
        """  Dataset pour les tweets de Trump
            * text : texte brut
            * maxsent : nombre maximum de phrases.
            * maxlen : longueur maximale des phrases.
        """
        maxlen = maxlen or sys.maxsize
        full_text = normalize(text)
        self.phrases = [p[:maxlen].strip() + "." for p in full_text.split(".") if len(p) > 0]
        if maxsent is not None:
            self.phrases = self.phrases[:maxsent]
        self.MAX_LEN = max([len(p) for p in self.phrases])

    def __len__(self):
        return len(self.phrases)

    def __getitem__(self, i):
        t = string2code(self.phrases[i])
        t = torch.cat([torch.zeros(self.MAX_LEN - t.size(0), dtype=torch.long), t])
        return t[:-1], t[1:]


#  TODO:  Question 4 : génération de texte

PATH = "../data/"
BATCH_SIZE = 32
VOCAB = len(id2lettre)
EMB = 32
HIDDEN = 128
MAXLEN = 60

text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
ds = TrumpDataset(text, maxlen=MAXLEN)
loader = DataLoader(ds, batch_size=BATCH_SIZE, shuffle=True)

# embedding : one-hot puis lineaire (sans nn.Embedding, comme demande)
emb = nn.Linear(VOCAB, EMB).to(device)
model = RNN(EMB, HIDDEN, VOCAB, MAXLEN - 1).to(device)
optimizer = torch.optim.Adam(list(model.parameters()) + list(emb.parameters()), lr=2e-3)
criterion = nn.CrossEntropyLoss(ignore_index=0)


def embed(x):
    return emb(F.one_hot(x, VOCAB).float())


def generate(model, start, n):
    # genere n caracteres apres start, en prenant a chaque fois le plus probable
    with torch.no_grad():
        h = torch.zeros(1, HIDDEN, device=device)
        for c in string2code(start).to(device):
            h = model.one_step(embed(c.view(1)), h)
        res = []
        for _ in range(n):
            scores = model.decode(h)
            scores[:, 0] = -1e9  # pas le caractere nul
            c = scores.argmax(dim=1)
            res.append(c.item())
            h = model.one_step(embed(c), h)
    return start + code2string(res)


for epoch in range(15):
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)  # (batch, length) : batch first
        h0 = torch.zeros(x.size(0), HIDDEN, device=device)
        out, _ = model(embed(x), h0)
        logits = model.decode(out)  # (batch, length, vocab)
        loss = criterion(logits.reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    print(epoch, total / len(loader))
    print(generate(model, "The ", 80))
