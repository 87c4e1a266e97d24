from utils import RNN, device, SampleMetroDataset
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

# Nombre de stations utilisé
CLASSES = 10
# Longueur des séquences
LENGTH = 20
# Dimension de l'entrée (1 (in) ou 2 (in/out))
DIM_INPUT = 2
# Taille du batch
BATCH_SIZE = 32

PATH = "../data/"

matrix_train, matrix_test = torch.load(open(PATH + "hzdataset.pch", "rb"))
ds_train = SampleMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = SampleMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)

#  TODO:  Question 2 : prédiction de la ville correspondant à une séquence

HIDDEN = 64
writer = SummaryWriter("runs/classif")
model = RNN(DIM_INPUT, HIDDEN, CLASSES, LENGTH).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
criterion = nn.CrossEntropyLoss()


def accuracy(loader):
    model.eval()
    ok, n, tot_loss = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)  # x : (batch, length, dim), deja batch first
            h0 = torch.zeros(x.size(0), HIDDEN, device=device)
            _, h = model(x, h0)
            logits = model.decode(h)
            tot_loss += criterion(logits, y).item() * len(y)
            ok += (logits.argmax(-1) == y).sum().item()
            n += len(y)
    model.train()
    return tot_loss / n, ok / n


step = 0
for epoch in range(20):
    for x, y in data_train:
        x, y = x.to(device), y.to(device)
        h0 = torch.zeros(x.size(0), HIDDEN, device=device)
        _, h = model(x, h0)
        loss = criterion(model.decode(h), y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        writer.add_scalar("loss/train", loss.item(), step)
        step += 1
    test_loss, test_acc = accuracy(data_test)
    writer.add_scalar("loss/test", test_loss, epoch)
    writer.add_scalar("acc/test", test_acc, epoch)
    print(f"[{epoch}] test loss={test_loss:.3f} acc={test_acc:.3f}")

for L in (5, 10, 20, 30):
    ds = SampleMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=L, stations_max=ds_train.stations_max)
    print(L, accuracy(DataLoader(ds, batch_size=BATCH_SIZE)))
