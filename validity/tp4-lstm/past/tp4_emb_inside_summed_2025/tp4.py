import string
from pathlib import Path
from datetime import datetime

import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import *
from generate import generate, generate_beam, p_nucleus

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur length x batch x output_dim,
    :param target: Tenseur length x batch
    :param padcar: index du caractere de padding
    """
    #  TODO:  Implémenter maskedCrossEntropy sans aucune boucle, la CrossEntropy qui ne prend pas en compte les caractères de padding.
    loss = nn.functional.cross_entropy(output.permute(0, 2, 1), target, reduction="none")
    mask = target != padcar
    return (loss * mask).sum()


class RNN(nn.Module):
    # l'embedding fait partie du modele : forward prend directement les codes (length x batch)
    def __init__(self, vocab_size, emb_dim, latent):
        super().__init__()
        self.vocab_size = vocab_size
        self.emb_dim = emb_dim
        self.latent = latent
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD_IX)
        self.lin_x = nn.Linear(emb_dim, latent)
        self.lin_h = nn.Linear(latent, latent)
        self.lin_out = nn.Linear(latent, vocab_size)

    def one_step(self, x, h):
        # x : batch x emb_dim (deja passe dans l'embedding)
        return torch.tanh(self.lin_x(x) + self.lin_h(h))

    def forward(self, x, h):
        # x : length x batch (codes)
        x = self.emb(x)
        out = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            out.append(h)
        return torch.stack(out)

    def decode(self, h):
        return self.lin_out(h)


class LSTM(RNN):
    def __init__(self, vocab_size, emb_dim, latent):
        super().__init__(vocab_size, emb_dim, latent)
        self.forget = nn.Linear(emb_dim + latent, latent)
        self.input = nn.Linear(emb_dim + latent, latent)
        self.output = nn.Linear(emb_dim + latent, latent)
        self.cell = nn.Linear(emb_dim + latent, latent)

    def one_step(self, x, h, c):
        xh = torch.cat((x, h), dim=-1)
        f_t = torch.sigmoid(self.forget(xh))
        i_t = torch.sigmoid(self.input(xh))
        o_t = torch.sigmoid(self.output(xh))
        c = f_t * c + i_t * torch.tanh(self.cell(xh))
        h = o_t * torch.tanh(c)
        return h, c

    def forward(self, x, h, c):
        # renvoie tous les h, et l'etat final (h, c)
        x = self.emb(x)
        out = []
        for t in range(x.shape[0]):
            h, c = self.one_step(x[t], h, c)
            out.append(h)
        return torch.stack(out), h, c


class GRU(nn.Module):
    def __init__(self, vocab_size, emb_dim, latent):
        super().__init__()
        self.vocab_size = vocab_size
        self.emb_dim = emb_dim
        self.latent = latent
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD_IX)
        self.update = nn.Linear(emb_dim + latent, latent)
        self.reset = nn.Linear(emb_dim + latent, latent)
        self.candidate = nn.Linear(emb_dim + latent, latent)
        self.lin_out = nn.Linear(latent, vocab_size)

    def one_step(self, x, h):
        xh = torch.cat((x, h), dim=-1)
        z = torch.sigmoid(self.update(xh))
        r = torch.sigmoid(self.reset(xh))
        h_cand = torch.tanh(self.candidate(torch.cat((x, r * h), dim=-1)))
        return z * h + (1 - z) * h_cand

    def forward(self, x, h):
        x = self.emb(x)
        out = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            out.append(h)
        return torch.stack(out)

    def decode(self, h):
        return self.lin_out(h)


#  TODO:  Reprenez la boucle d'apprentissage, en utilisant des embeddings plutôt que du one-hot

PATH = "../data/"
BATCH_SIZE = 64
EMB_DIM = 50
LATENT = 200
N_EPOCHS = 5
VOCAB_SIZE = len(id2lettre)

with open(PATH + "trump_full_speech.txt", "r") as f:
    text = f.read()
train_loader = DataLoader(TextDataset(normalize(text), maxlen=150), collate_fn=pad_collate_fn, batch_size=BATCH_SIZE, shuffle=True)

for name, cls in (("rnn", RNN), ("gru", GRU), ("lstm", LSTM)):
    model = cls(VOCAB_SIZE, EMB_DIM, LATENT).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    writer = SummaryWriter(f"runs/{name}_{datetime.now():%H%M%S}")
    it = 0
    for epoch in range(N_EPOCHS):
        for batch in tqdm(train_loader, desc=f"{name} {epoch}"):
            batch = batch.to(device)
            h = torch.zeros(batch.shape[1], LATENT, device=device)
            if name == "lstm":
                hs, _, _ = model(batch[:-1], h, torch.zeros_like(h))
            else:
                hs = model(batch[:-1], h)
            loss = maskedCrossEntropy(model.decode(hs), batch[1:], PAD_IX)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            writer.add_scalar("loss/train", loss.item(), it)
            if it % 100 == 0:
                for pname, p in model.named_parameters():
                    if p.grad is not None:
                        writer.add_histogram(pname, p.grad, it)
            it += 1
    print(name, generate(model, model.emb, model.decode, EOS_IX, "The ", 150))
    print(name, generate(model, model.emb, model.decode, EOS_IX, "The ", 150, argmax=True))
    print(name, generate_beam(model, model.emb, model.decode, EOS_IX, 3, "The ", 150))
    print(name, generate_beam(model, model.emb, p_nucleus(model.decode, 0.95), EOS_IX, 3, "The ", 150, nucleus=True))
