import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import *
from generate import *

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur length x batch x output_dim,
    :param target: Tenseur length x batch
    :param padcar: index du caractere de padding
    """
    #  TODO:  Implémenter maskedCrossEntropy sans aucune boucle, la CrossEntropy qui ne prend pas en compte les caractères de padding.
    ce = nn.CrossEntropyLoss(reduction="none")
    L, B, V = output.shape
    loss = ce(output.view(L * B, V), target.view(L * B).long()).view(L, B)
    mask = (target != padcar).float()
    return (loss * mask).sum() / mask.sum()


class RNN(nn.Module):
    #  TODO:  Recopier l'implémentation du RNN (TP 4)
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim = dim
        self.latent = latent
        self.output = output
        self.i2h = nn.Linear(dim, latent)
        self.h2h = nn.Linear(latent, latent)
        self.h2o = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.i2h(x) + self.h2h(h))

    def forward(self, x, h):
        H = []
        for t in range(len(x)):
            h = self.one_step(x[t], h)
            H.append(h)
        return torch.stack(H)

    def decode(self, h):
        return self.h2o(h)


class LSTM(RNN):
    #  TODO:  Implémenter un LSTM
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.f_gate = nn.Linear(dim + latent, latent)
        self.i_gate = nn.Linear(dim + latent, latent)
        self.c_gate = nn.Linear(dim + latent, latent)
        self.o_gate = nn.Linear(dim + latent, latent)

    def one_step(self, x, c, h):
        xh = torch.cat([x, h], 1)
        f = torch.sigmoid(self.f_gate(xh))
        i = torch.sigmoid(self.i_gate(xh))
        o = torch.sigmoid(self.o_gate(xh))
        c = f * c + i * torch.tanh(self.c_gate(xh))
        h = o * torch.tanh(c)
        return c, h

    def forward(self, x, c, h):
        H = []
        for t in range(len(x)):
            c, h = self.one_step(x[t], c, h)
            H.append(h)
        return torch.stack(H)


class GRU(nn.Module):
    #  TODO:  Implémenter un GRU
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim = dim
        self.latent = latent
        self.output = output
        self.z_gate = nn.Linear(dim + latent, latent)
        self.r_gate = nn.Linear(dim + latent, latent)
        self.h_gate = nn.Linear(dim + latent, latent)
        self.h2o = nn.Linear(latent, output)

    def one_step(self, x, h):
        z = torch.sigmoid(self.z_gate(torch.cat([x, h], 1)))
        r = torch.sigmoid(self.r_gate(torch.cat([x, h], 1)))
        h_hat = torch.tanh(self.h_gate(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * h_hat

    def forward(self, x, h):
        H = []
        for t in range(len(x)):
            h = self.one_step(x[t], h)
            H.append(h)
        return torch.stack(H)

    def decode(self, h):
        return self.h2o(h)


#  TODO:  Reprenez la boucle d'apprentissage, en utilisant des embeddings plutôt que du one-hot

PATH = "../data/"
BATCH_SIZE = 32
DIM = 32
LATENT = 128

text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
data = DataLoader(TextDataset(text, maxlen=120), collate_fn=pad_collate_fn, batch_size=BATCH_SIZE, shuffle=True)

embedding = nn.Embedding(len(id2lettre), DIM, padding_idx=PAD_IX).to(device)
model = GRU(DIM, LATENT, len(id2lettre)).to(device)
optimizer = torch.optim.Adam(list(model.parameters()) + list(embedding.parameters()), lr=1e-3)
writer = SummaryWriter()

for epoch in range(10):
    for i, batch in enumerate(tqdm(data)):
        batch = batch.long().to(device)
        h = torch.zeros(batch.shape[1], LATENT).to(device)
        H = model(embedding(batch[:-1]), h)
        loss = maskedCrossEntropy(model.decode(H), batch[1:], PAD_IX)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1)
        optimizer.step()
        writer.add_scalar("train loss", loss, epoch * len(data) + i)
    print(generate(model, embedding, model.decode, EOS_IX, "The "))
    print(generate_beam(model, embedding, model.decode, EOS_IX, 3, "The "))
