from utils import RNN, device, SampleMetroDataset
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm.auto import tqdm

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

HIDDEN = 40
rnn = RNN(DIM_INPUT, HIDDEN, CLASSES).to(device)
optim = torch.optim.Adam(rnn.parameters(), lr=3e-3)
writer = SummaryWriter()


def predict(x):
    # x : (batch, length, dim) -> scores (batch, classes)
    x = x.transpose(0, 1).to(device)
    h = torch.zeros(x.size(1), HIDDEN, device=device)
    hs = rnn(x, h)
    # on resume la sequence par la moyenne des etats caches
    return rnn.decode(torch.stack(hs).mean(0))


for epoch in tqdm(range(25)):
    for i, (x, y) in enumerate(data_train):
        loss = F.cross_entropy(predict(x), y.to(device))
        optim.zero_grad()
        loss.backward()
        optim.step()
        writer.add_scalar("train/loss", loss.item(), epoch * len(data_train) + i)

    with torch.no_grad():
        acc, loss = 0.0, 0.0
        for x, y in data_test:
            scores = predict(x)
            loss += F.cross_entropy(scores, y.to(device), reduction="sum").item()
            acc += (scores.argmax(1).cpu() == y).sum().item()
        writer.add_scalar("test/loss", loss / len(ds_test), epoch)
        writer.add_scalar("test/acc", acc / len(ds_test), epoch)
        print(f"{epoch}: test loss {loss / len(ds_test):.3f} acc {acc / len(ds_test):.3f}")
