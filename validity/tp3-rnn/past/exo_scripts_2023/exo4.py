import string
import unicodedata
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
from tqdm import tqdm

from utils import RNN, device

## Liste des symboles autorisés
LETTRES = string.ascii_letters + string.punctuation + string.digits + ' '
## Dictionnaire index -> lettre
id2lettre = dict(zip(range(1, len(LETTRES) + 1), LETTRES))
id2lettre[0] = ''  ##NULL CHARACTER
## Dictionnaire lettre -> index
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


class OneHotLinear(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size = vocab_size
        self.dim = dim
        self.lin = nn.Linear(vocab_size, dim)

    def forward(self, x):
        # x : length x batch (indices)
        onehot = F.one_hot(x, num_classes=self.vocab_size).float()
        return self.lin(onehot)


def generate_fixed(rnn, emb, start, length, *, sample=False):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent).to(device)
        for c in string2code(start):
            h = rnn.one_step(emb(c.view(1, 1).to(device))[0], h)
        res = []
        for i in range(length):
            scores = rnn.decode(h)[0]
            scores[0] = -1e10  # pas le caractere nul
            if sample:
                c = torch.multinomial(F.softmax(scores, dim=0), 1)
            else:
                c = scores.argmax().view(1)
            res.append(c.item())
            h = rnn.one_step(emb(c.view(1, 1))[0], h)
    return start + code2string(res)


PATH = "data/"
BATCH_SIZE = 32
DIM_EMB = 40
LATENT = 100

txt = open(PATH + "trump_full_speech.txt", "rb").read().decode()
ds = TrumpDataset(txt, maxlen=100)
loader = DataLoader(ds, batch_size=BATCH_SIZE, shuffle=True)

emb = OneHotLinear(len(id2lettre), DIM_EMB).to(device)
model = RNN(LATENT, DIM_EMB, len(id2lettre)).to(device)
optim = torch.optim.Adam(list(emb.parameters()) + list(model.parameters()), lr=1e-3)
loss_fn = nn.CrossEntropyLoss(ignore_index=0)

for epoch in range(20):
    for x, y in tqdm(loader):
        x, y = x.t().to(device), y.t().to(device)
        hs, _ = model(emb(x))
        out = model.decode(hs)
        loss = loss_fn(out.view(-1, out.size(-1)), y.reshape(-1))
        optim.zero_grad()
        loss.backward()
        optim.step()
    print(epoch, loss.item())
    print(generate_fixed(model, emb, "The ", 60))
    print(generate_fixed(model, emb, "The ", 60, sample=True))
