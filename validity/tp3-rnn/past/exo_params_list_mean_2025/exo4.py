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
EMB = 30
HIDDEN = 150


class OneHotLinear(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        self.n = n
        self.proj = nn.Linear(n, d)

    def forward(self, x):
        return self.proj(F.one_hot(x, self.n).to(self.proj.weight.dtype))


def generate(model, emb, n, start="The", greedy=False):
    """n caracteres apres start ; tirage selon le softmax par defaut, argmax si greedy."""
    with torch.no_grad():
        h = torch.zeros(1, model.hidden_size, device=device)
        for c in string2code(start):
            h = model.one_step(emb(c.view(1).to(device)), h)
        text = []
        for _ in range(n):
            logits = model.decode(h).squeeze(0)
            logits[0] = float("-inf")
            if greedy:
                c = logits.argmax()
            else:
                c = torch.distributions.Categorical(logits=logits).sample()
            text.append(int(c))
            h = model.one_step(emb(c.view(1)), h)
    return start + code2string(text)


text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
loader = DataLoader(TrumpDataset(text, maxlen=70), batch_size=64, shuffle=True)
emb = OneHotLinear(VOCAB, EMB).to(device)
rnn = RNN(EMB, HIDDEN, VOCAB).to(device)
optim = torch.optim.Adam(list(rnn.parameters()) + list(emb.parameters()), lr=2e-3)

for epoch in range(10):
    for x, y in loader:
        x, y = x.t().to(device), y.t().to(device)
        hs = torch.stack(rnn(emb(x), torch.zeros(x.size(1), HIDDEN, device=device)))
        logits = rnn.decode(hs)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1), ignore_index=0)
        optim.zero_grad()
        loss.backward()
        optim.step()
    print(epoch, loss.item())
    print(generate(rnn, emb, 80))
    print(generate(rnn, emb, 80, greedy=True))
