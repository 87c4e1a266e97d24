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


#  TODO:  Question 4 : génération de texte de longueur fixe

PATH = "../data/"
BATCH_SIZE = 32
VOCAB = len(id2lettre)  # 96 avec le caractère nul
DIM_EMB = 50
LATENT = 128
EPOCHS = 10


class OneHotEmbedding(nn.Module):
    """Encodage one-hot suivi d'une couche linéaire : length x batch (entiers) -> length x batch x dim"""

    def __init__(self, vocab, dim):
        super().__init__()
        self.vocab = vocab
        self.linear = nn.Linear(vocab, dim)

    def forward(self, x):
        return self.linear(F.one_hot(x, self.vocab).float())


def generate(rnn, emb, start, length, random=False):
    """Génère length caractères après start (argmax, ou tirage si random=True)."""
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent, device=device)
        for c in string2code(start):
            h = rnn.one_step(emb(c.view(1).to(device)), h)
        out = []
        for _ in range(length):
            logits = rnn.decode(h)[0]
            logits[0] = -float("inf")  # jamais le caractère nul
            if random:
                c = torch.multinomial(torch.softmax(logits, 0), 1)
            else:
                c = logits.argmax().view(1)
            out.append(c.item())
            h = rnn.one_step(emb(c), h)
    return start + code2string(out)


text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
ds = TrumpDataset(text, maxlen=80)
loader = DataLoader(ds, batch_size=BATCH_SIZE, shuffle=True)

emb = OneHotEmbedding(VOCAB, DIM_EMB).to(device)
rnn = RNN(DIM_EMB, LATENT, VOCAB).to(device)
optim = torch.optim.Adam(list(emb.parameters()) + list(rnn.parameters()), lr=1e-3)
criterion = nn.CrossEntropyLoss(ignore_index=0)  # pas de loss sur le remplissage

for epoch in range(EPOCHS):
    total = 0
    for x, y in loader:
        x, y = x.t().to(device), y.t().to(device)  # length x batch
        h0 = torch.zeros(x.size(1), LATENT, device=device)
        logits = rnn.decode(rnn(emb(x), h0))  # length x batch x vocab
        loss = criterion(logits.reshape(-1, VOCAB), y.reshape(-1))
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(rnn.parameters(), 1.0)
        optim.step()
        total += loss.item()
    print(f"epoch {epoch} : loss {total / len(loader):.3f}")
    print(generate(rnn, emb, "The ", 60))
    print(generate(rnn, emb, "The ", 60, random=True))
