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


#  TODO:  Question 4 : génération

PATH = "../data/"
VOCAB = len(id2lettre)
DIM = 20
LATENT = 100


class OneHot(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.vocab = vocab
        self.lin = nn.Linear(vocab, dim)

    def forward(self, x):
        return self.lin(F.one_hot(x, self.vocab).float())


def generate(rnn, emb, start, length):
    # TODO generation caractere par caractere
    # - encoder start
    # - argmax de decode puis one_step


text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
loader = DataLoader(TrumpDataset(text, maxlen=50), batch_size=32, shuffle=True)
emb = OneHot(VOCAB, DIM).to(device)
rnn = RNN(DIM, VOCAB, LATENT).to(device)
opt = torch.optim.Adam(list(rnn.parameters()) + list(emb.parameters()), lr=1e-3)
loss_fn = nn.CrossEntropyLoss(ignore_index=0)

for epoch in range(10):
    for x, y in loader:
        x, y = x.t().to(device), y.t().to(device)
        h = torch.zeros(x.shape[1], LATENT).to(device)
        logits = rnn.decode(rnn(emb(x), h))
        loss = loss_fn(logits.flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
