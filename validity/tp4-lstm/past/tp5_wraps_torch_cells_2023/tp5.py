import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from textloader import *
from generate import *

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur length x batch x output_dim,
    :param target: Tenseur length x batch
    :param padcar: index du caractere de padding
    """
    # ignore_index fait exactement le masque et la moyenne sur les caracteres non paddes
    return F.cross_entropy(output.flatten(0, 1), target.flatten(), ignore_index=padcar)


class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.W(torch.cat((h, x), 1)))

    def forward(self, x, h):
        states = []
        for xt in x:
            h = self.one_step(xt, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.decoder(h)


class LSTM(RNN):
    # les equations du LSTM sont celles de nn.LSTMCell, on l'utilise directement
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.cell = nn.LSTMCell(dim, latent)

    def one_step(self, x, h, c):
        return self.cell(x, (h, c))

    def forward(self, x, h, c):
        states = []
        for xt in x:
            h, c = self.one_step(xt, h, c)
            states.append(h)
        return torch.stack(states)


class GRU(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.cell = nn.GRUCell(dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        return self.cell(x, h)

    def forward(self, x, h):
        states = []
        for xt in x:
            h = self.one_step(xt, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.decoder(h)


#  TODO:  Reprenez la boucle d'apprentissage, en utilisant des embeddings plutôt que du one-hot

PATH = "../data/"
text = open(PATH + "trump_full_speech.txt", "rb").read().decode()
loader = DataLoader(TextDataset(text, maxlen=100), collate_fn=pad_collate_fn, batch_size=64, shuffle=True)

VOCAB = len(id2lettre)
emb = nn.Embedding(VOCAB, 64, padding_idx=PAD_IX).to(device)
writer = SummaryWriter("runs/tp5")
for kind, model in [("gru", GRU(64, 128, VOCAB)), ("lstm", LSTM(64, 128, VOCAB))]:
    model = model.to(device)
    opt = torch.optim.Adam(list(model.parameters()) + list(emb.parameters()), lr=3e-3)
    for epoch in range(3):
        for i, batch in enumerate(loader):
            batch = batch.to(device)
            h = torch.zeros(batch.size(1), 128, device=device)
            args = (h, torch.zeros_like(h)) if kind == "lstm" else (h,)
            hs = model(emb(batch[:-1]), *args)
            loss = maskedCrossEntropy(model.decode(hs), batch[1:], PAD_IX)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            writer.add_scalar(f"{kind}/loss", loss.item(), epoch * len(loader) + i)
        print(kind, epoch, loss.item())
    print(generate(model, emb, model.decode, EOS_IX, "The "))
    print(generate(model, emb, model.decode, EOS_IX, "The ", strategy="sample"))
    print(generate_beam(model, emb, model.decode, EOS_IX, 4, "The "))
    print(generate_beam(model, emb, model.decode, EOS_IX, 4, "The ", alpha=0.9))
