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
BATCH_SIZE = 64
VOCAB_SIZE = len(id2lettre)
EMB_SIZE = 64
LATENT_SIZE = 200


class Embedding(nn.Module):
    # one-hot puis lineaire
    def __init__(self, vocab_size, emb_size):
        super(Embedding, self).__init__()
        self.vocab_size = vocab_size
        self.lin = nn.Linear(vocab_size, emb_size)

    def forward(self, x):
        return self.lin(F.one_hot(x, num_classes=self.vocab_size).float())


def generate(rnn, embedding, nb_char, debut="", mode="argmax"):
    # genere nb_char caracteres apres debut ; mode = "argmax" ou "sample"
    rnn.eval()
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent_size)
        for c in string2code(debut):
            h = rnn.one_step(embedding(c.view(1)), h)
        generated = []
        for i in range(nb_char):
            probas = rnn.decode(h)  # decode renvoie deja des probas
            probas[:, 0] = 0  # pas de caractere nul
            if mode == "sample":
                c = torch.multinomial(probas, 1).view(1)
            else:
                c = torch.argmax(probas, dim=1)
            generated.append(c.item())
            h = rnn.one_step(embedding(c), h)
    return debut + code2string(generated)


text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
dataset = TrumpDataset(text, maxlen=100)
loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)

embedding = Embedding(VOCAB_SIZE, EMB_SIZE).to(device)
rnn = RNN(LATENT_SIZE, EMB_SIZE, VOCAB_SIZE, device).to(device)
optimizer = torch.optim.Adam(list(rnn.parameters()) + list(embedding.parameters()), lr=0.001)
loss_fn = nn.CrossEntropyLoss(ignore_index=0)

for epoch in range(20):
    for x, y in loader:
        x = x.permute(1, 0).to(device)
        y = y.permute(1, 0).to(device)
        h = torch.zeros(x.shape[1], LATENT_SIZE)
        outputs, _ = rnn(embedding(x), h)
        yhat = rnn.decode(outputs)
        loss = loss_fn(yhat.reshape(-1, VOCAB_SIZE), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print("epoch", epoch, "loss", loss.item())
    print(generate(rnn, embedding, 100, "I will "))
    print(generate(rnn, embedding, 100, "I will ", mode="sample"))
