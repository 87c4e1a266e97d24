import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from textloader import *

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int):
    """
    :param output: Tenseur batch x length x output_dim  (mes modeles sont batch first)
    :param target: Tenseur batch x length
    :param padcar: index du caractere de padding
    """
    loss = F.cross_entropy(output.transpose(1, 2), target, reduction="none")
    mask = (target != padcar)
    return (loss * mask).mean()


class RNN(nn.Module):
    """Tout est batch first : x de taille (batch, length, dim)."""

    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.lin = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.lin(torch.cat([x, h], dim=1)))

    def forward(self, x, h):
        hs = []
        for t in range(x.size(1)):
            h = self.one_step(x[:, t], h)
            hs.append(h)
        return torch.stack(hs, dim=1)

    def decode(self, h):
        return self.decoder(h)


class LSTM(RNN):
    # l'etat est le couple (h, c)
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.lin_i = nn.Linear(dim + latent, latent)
        self.lin_f = nn.Linear(dim + latent, latent)
        self.lin_o = nn.Linear(dim + latent, latent)
        self.lin_c = nn.Linear(dim + latent, latent)

    def one_step(self, x, state):
        h, c = state
        xh = torch.cat([x, h], dim=1)
        i = torch.sigmoid(self.lin_i(xh))
        f = torch.sigmoid(self.lin_f(xh))
        o = torch.sigmoid(self.lin_o(xh))
        c = f * c + i * torch.tanh(self.lin_c(xh))
        h = o * torch.tanh(c)
        return h, c

    def forward(self, x, state):
        hs = []
        for t in range(x.size(1)):
            state = self.one_step(x[:, t], state)
            hs.append(state[0])
        return torch.stack(hs, dim=1)


class GRU(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.lin_z = nn.Linear(dim + latent, latent)
        self.lin_r = nn.Linear(dim + latent, latent)
        self.lin_h = nn.Linear(dim + latent, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, h):
        xh = torch.cat([x, h], dim=1)
        z = torch.sigmoid(self.lin_z(xh))
        r = torch.sigmoid(self.lin_r(xh))
        h_new = torch.tanh(self.lin_h(torch.cat([x, r * h], dim=1)))
        return (1 - z) * h + z * h_new

    def forward(self, x, h):
        hs = []
        for t in range(x.size(1)):
            h = self.one_step(x[:, t], h)
            hs.append(h)
        return torch.stack(hs, dim=1)

    def decode(self, h):
        return self.decoder(h)


#  TODO:  Reprenez la boucle d'apprentissage, en utilisant des embeddings plutôt que du one-hot

PATH = "../data/"
BATCH_SIZE = 128
EMBEDDING = 100
LATENT = 256
EPOCHS = 20
MODEL = "gru"

text = open(PATH + "trump_full_speech.txt").read()
loader = DataLoader(TextDataset(text, maxlen=100), collate_fn=pad_collate_fn, batch_size=BATCH_SIZE, shuffle=True)

emb = nn.Embedding(len(id2lettre), EMBEDDING, padding_idx=PAD_IX).to(device)
model = {"rnn": RNN, "gru": GRU, "lstm": LSTM}[MODEL](EMBEDDING, LATENT, len(id2lettre)).to(device)
params = list(emb.parameters()) + list(model.parameters())
opt = torch.optim.Adam(params, lr=2e-3)
writer = SummaryWriter(comment=MODEL)

for epoch in range(EPOCHS):
    total = 0
    for i, (x, y) in enumerate(tqdm(loader)):
        x, y = x.t().to(device), y.t().to(device)  # batch first
        h = torch.zeros(x.size(0), LATENT, device=device)
        state = (h, torch.zeros_like(h)) if MODEL == "lstm" else h
        out = model.decode(model(emb(x), state))
        loss = maskedCrossEntropy(out, y, PAD_IX)
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        writer.add_scalar("loss", loss.item(), epoch * len(loader) + i)
        writer.add_scalar("grad_norm", norm.item(), epoch * len(loader) + i)
        total += loss.item()
    print(f"epoch {epoch}: {total / len(loader):.4f}")
    torch.save({"emb": emb.state_dict(), "model": model.state_dict()}, f"{MODEL}.pt")
