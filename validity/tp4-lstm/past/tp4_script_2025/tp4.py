# TP4 - LSTM / GRU (AMAL 2024-2025)
import datetime

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, random_split
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import EOS_IX, PAD_IX, VOCAB_SIZE, TextDataset, code2string, pad_collate_fn, string2code
from generate import generate, generate_beam, generate_beam_nucleus, p_nucleus

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device :", device)


def maskedCrossEntropy(output, target, padcar):
    """output (L, B, V), target (L, B) -> moyenne sur les positions qui ne sont pas du padding"""
    L, B, V = output.shape
    loss = F.cross_entropy(output.reshape(L * B, V), target.reshape(L * B), reduction="none")
    mask = (target.reshape(L * B) != padcar).float()
    return (loss * mask).sum() / mask.sum()


class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, device=weight.device, dtype=weight.dtype)

    def hidden(self, state):
        return state

    def one_step(self, x, h):
        return torch.tanh(self.W(torch.cat([h, x], dim=-1)))

    def forward(self, x, h=None):
        """x (L, B, D) -> (tous les h (L, B, H), dernier etat)"""
        state = self.init_state(x.shape[1]) if h is None else h
        outputs = []
        for t in range(x.shape[0]):
            state = self.one_step(x[t], state)
            outputs.append(self.hidden(state))
        return torch.stack(outputs), state

    def decode(self, h):
        return self.decoder(h)


def build_model(cell, vocab_size, dim, latent):
    classes = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in classes:
        raise ValueError(cell)
    return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), classes[cell](dim, latent, vocab_size)


class GRU(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_r = nn.Linear(latent + dim, latent)
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_h = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        r = torch.sigmoid(self.W_r(hx))
        z = torch.sigmoid(self.W_z(hx))
        h_tilde = torch.tanh(self.W_h(torch.cat([r * h, x], dim=-1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * h_tilde


class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        i = torch.sigmoid(self.W_i(hx))
        f = torch.sigmoid(self.W_f(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c


def train(cell, loader, epochs=5, dim=64, latent=128, lr=3e-3):
    emb, model = build_model(cell, VOCAB_SIZE, dim, latent)
    emb, model = emb.to(device), model.to(device)
    params = list(emb.parameters()) + list(model.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    writer = SummaryWriter(f"runs/{cell}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    losses, step = [], 0
    for epoch in range(epochs):
        for batch in tqdm(loader, desc=f"{cell} epoch {epoch}"):
            batch = batch.to(device)
            hs, _ = model(emb(batch[:-1]))
            loss = maskedCrossEntropy(model.decode(hs), batch[1:], PAD_IX)
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            writer.add_scalar("loss/train", loss.item(), step)
            writer.add_scalar("grad_norm", norm.item(), step)
            if step % 50 == 0:
                for name, p in model.named_parameters():
                    writer.add_histogram(f"grad/{name}", p.grad, step)
                for name, g in getattr(model, "gates", {}).items():
                    writer.add_histogram(f"gate/{name}", g, step)
            losses.append(loss.item())
            step += 1
    return emb, model, losses


text = open("../data/trump_full_speech.txt", encoding="utf-8").read()
dataset = TextDataset(text, maxlen=100)
train_set, test_set = random_split(dataset, [len(dataset) - 1000, 1000])
loader = DataLoader(train_set, batch_size=64, shuffle=True, collate_fn=pad_collate_fn)

results = {}
for cell in ["rnn", "gru", "lstm"]:
    results[cell] = train(cell, loader)

for cell, (emb, model, losses) in results.items():
    plt.plot(losses, label=cell)
plt.legend()
plt.savefig("losses.png")

for cell, (emb, model, losses) in results.items():
    model.eval()
    print(cell, "glouton :", generate(model, emb, model.decode, EOS_IX, "The ", 200))
    print(cell, "sample  :", generate(model, emb, model.decode, EOS_IX, "The ", 200, sample=True))
    print(cell, "beam    :", generate_beam(model, emb, model.decode, EOS_IX, 5, "The ", 200))
    print(cell, "nucleus :", generate_beam_nucleus(model, emb, model.decode, EOS_IX, 5, 0.9, "The ", 200))
