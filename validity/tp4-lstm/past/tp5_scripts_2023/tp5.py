import logging
import string
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import *

logging.basicConfig(level=logging.INFO)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur length x batch x output_dim,
    :param target: Tenseur length x batch
    :param padcar: index du caractere de padding
    """
    # cross_entropy veut les classes en dimension 1 : (length, output_dim, batch)
    loss = F.cross_entropy(output.permute(0, 2, 1), target, reduction="none")
    mask = (target != padcar)
    return (loss * mask).sum()


class RNN(nn.Module):
    # copie du TP precedent, avec une seule couche sur [x, h]
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.lin = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, device=weight.device, dtype=weight.dtype)

    def hidden(self, state):
        return state

    def one_step(self, x, h):
        return torch.tanh(self.lin(torch.cat((x, h), 1)))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.size(1))
        hs = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            hs.append(self.hidden(h))
        return torch.stack(hs)

    def decode(self, h):
        return self.decoder(h)


class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        # une couche par porte, sur [x, h]
        self.lin_z = nn.Linear(dim + latent, latent)
        self.lin_r = nn.Linear(dim + latent, latent)
        self.lin_h = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        xh = torch.cat((x, h), 1)
        z = torch.sigmoid(self.lin_z(xh))
        r = torch.sigmoid(self.lin_r(xh))
        h_tilde = torch.tanh(self.lin_h(torch.cat((x, r * h), 1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * h_tilde


class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.lin_i = nn.Linear(dim + latent, latent)
        self.lin_f = nn.Linear(dim + latent, latent)
        self.lin_o = nn.Linear(dim + latent, latent)
        self.lin_c = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        xh = torch.cat((x, h), 1)
        i = torch.sigmoid(self.lin_i(xh))
        f = torch.sigmoid(self.lin_f(xh))
        o = torch.sigmoid(self.lin_o(xh))
        c = f * c + i * torch.tanh(self.lin_c(xh))
        h = o * torch.tanh(c)
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return h, c


def build_model(cell, vocab_size, dim, latent):
    emb = nn.Embedding(vocab_size, dim)
    if cell == "rnn":
        model = RNN(dim, latent, vocab_size)
    elif cell == "gru":
        model = GRU(dim, latent, vocab_size)
    elif cell == "lstm":
        model = LSTM(dim, latent, vocab_size)
    else:
        raise ValueError("modele inconnu : " + cell)
    return emb, model


# generate importe device depuis ce fichier : import apres la definition des modeles
from generate import generate, generate_beam, p_nucleus, generate_beam_nucleus

PATH = "data/"
BATCH_SIZE = 32
MAXLEN = 100
DIM_EMB = 80
LATENT = 200
EPOCHS = 30
CELL = "lstm"

txt = open(PATH + "trump_full_speech.txt").read()
ds = TextDataset(txt, maxlen=MAXLEN)
loader = DataLoader(ds, collate_fn=pad_collate_fn, batch_size=BATCH_SIZE, shuffle=True)

# embedding en dehors du modele, appris en meme temps
emb, model = build_model(CELL, VOCAB_SIZE, DIM_EMB, LATENT)
emb = emb.to(device)
model = model.to(device)
optim = torch.optim.Adam(list(emb.parameters()) + list(model.parameters()), lr=1e-3)
writer = SummaryWriter(f"runs/tp5-{CELL}-{time.asctime()}")

step = 0
for epoch in range(EPOCHS):
    epoch_loss = 0
    for batch in tqdm(loader):
        batch = batch.to(device)
        x, y = batch[:-1], batch[1:]
        out = model.decode(model(emb(x)))
        loss = maskedCrossEntropy(out, y, PAD_IX)
        optim.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(list(emb.parameters()) + list(model.parameters()), 5.0)
        optim.step()
        writer.add_scalar("loss", loss.item(), step)
        writer.add_scalar("grad_norm", norm, step)
        if step % 100 == 0:
            for name, p in model.named_parameters():
                writer.add_histogram("grad/" + name, p.grad, step)
            for name, g in model.gates.items():
                writer.add_histogram("gates/" + name, g, step)
        step += 1
        epoch_loss += loss.item()
    logging.info(f"epoch {epoch}: loss {epoch_loss / len(loader)}")
    model.eval()
    logging.info(generate(model, emb, model.decode, EOS_IX, "The ", 100))
    logging.info(generate_beam(model, emb, model.decode, EOS_IX, 5, "The ", 100))
    logging.info(generate_beam_nucleus(model, emb, model.decode, EOS_IX, 5, 0.9, "The ", 100))
    model.train()
