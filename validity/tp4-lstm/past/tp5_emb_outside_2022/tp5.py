import datetime
import logging

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import *
from generate import *

logging.basicConfig(level=logging.INFO)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur length x batch x output_dim,
    :param target: Tenseur length x batch
    :param padcar: index du caractere de padding
    """
    mask = (target != padcar).float()
    loss = F.cross_entropy(output.reshape(-1, output.size(-1)), target.reshape(-1), reduction="none")
    return (loss * mask.reshape(-1)).sum() / mask.sum()


class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim = dim
        self.latent = latent
        self.output = output
        self.W_i = nn.Linear(dim, latent)
        self.W_h = nn.Linear(latent, latent, bias=False)
        self.W_d = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.W_i(x) + self.W_h(h))

    def forward(self, x, h):
        hs = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            hs.append(h)
        return torch.stack(hs)

    def decode(self, h):
        return self.W_d(h)


class LSTM(RNN):
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_in = nn.Linear(latent + dim, latent)
        self.W_c = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)

    def one_step(self, x, h, c):
        hx = torch.cat([h, x], dim=1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_in(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_c(hx))
        h = o * torch.tanh(c)
        self.gates = {"f": f.detach(), "i": i.detach(), "o": o.detach()}
        return h, c

    def forward(self, x, h, c):
        hs = []
        for t in range(x.size(0)):
            h, c = self.one_step(x[t], h, c)
            hs.append(h)
        return torch.stack(hs)


class GRU(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim = dim
        self.latent = latent
        self.output = output
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W = nn.Linear(latent + dim, latent)
        self.W_d = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        h_tilde = torch.tanh(self.W(torch.cat([r * h, x], dim=1)))
        self.gates = {"z": z.detach(), "r": r.detach()}
        return (1 - z) * h + z * h_tilde

    def forward(self, x, h):
        hs = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            hs.append(h)
        return torch.stack(hs)

    def decode(self, h):
        return self.W_d(h)


#  TODO:  Reprenez la boucle d'apprentissage, en utilisant des embeddings plutôt que du one-hot

PATH = "../data/"
BATCH_SIZE = 32
DIM_EMB = 64
LATENT = 128
EPOCHS = 10
CELL = "lstm"  # "rnn", "gru" ou "lstm"

text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
ds = TextDataset(normalize(text), maxlen=200)
loader = DataLoader(ds, collate_fn=pad_collate_fn, batch_size=BATCH_SIZE, shuffle=True)

vocab = len(id2lettre)
emb = nn.Embedding(vocab, DIM_EMB, padding_idx=PAD_IX).to(device)
if CELL == "rnn":
    model = RNN(DIM_EMB, LATENT, vocab)
elif CELL == "gru":
    model = GRU(DIM_EMB, LATENT, vocab)
else:
    model = LSTM(DIM_EMB, LATENT, vocab)
model = model.to(device)

optim = torch.optim.Adam(list(emb.parameters()) + list(model.parameters()), lr=1e-3)
writer = SummaryWriter(f"runs/{CELL}-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))

step = 0
for epoch in range(EPOCHS):
    for batch in tqdm(loader):
        batch = batch.to(device)
        x, y = batch[:-1], batch[1:]
        h = torch.zeros(x.size(1), LATENT, device=device)
        if CELL == "lstm":
            c = torch.zeros(x.size(1), LATENT, device=device)
            hs = model(emb(x), h, c)
        else:
            hs = model(emb(x), h)
        loss = maskedCrossEntropy(model.decode(hs), y, PAD_IX)
        optim.zero_grad()
        loss.backward()
        writer.add_scalar("loss", loss.item(), step)
        if step % 50 == 0:
            for name, p in model.named_parameters():
                writer.add_histogram(f"grad/{name}", p.grad, step)
            if CELL != "rnn":
                for name, g in model.gates.items():
                    writer.add_histogram(f"gate/{name}", g, step)
        torch.nn.utils.clip_grad_norm_(list(model.parameters()) + list(emb.parameters()), 1.0)
        optim.step()
        step += 1
    logging.info("epoch %d loss %.3f", epoch, loss.item())
    print(generate(model, emb, model.decode, EOS_IX, "The ", 100, lstm=CELL == "lstm"))
    print(generate(model, emb, model.decode, EOS_IX, "The ", 100, lstm=CELL == "lstm", sampling=True))
    print(generate_beam(model, emb, model.decode, EOS_IX, 5, "The ", 100, lstm=CELL == "lstm"))
    print(generate_beam(model, emb, model.decode, EOS_IX, 5, "The ", 100, lstm=CELL == "lstm",
                        nucleus=p_nucleus(model.decode, 0.9)))
