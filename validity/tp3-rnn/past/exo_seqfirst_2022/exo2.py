from utils import RNN, device, SampleMetroDataset
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

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

LATENT = 20
EPOCHS = 30
writer = SummaryWriter("runs/metro_classif")

model = RNN(DIM_INPUT, LATENT, CLASSES).to(device)
optim = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()


def run_epoch(loader, train=True):
    model.train(train)
    total_loss, correct, n = 0.0, 0, 0
    for x, y in loader:
        # le DataLoader donne batch x length x dim, le RNN veut length x batch x dim
        x = x.transpose(0, 1).to(device)
        y = y.to(device)
        h0 = torch.zeros(x.size(1), LATENT, device=device)
        with torch.set_grad_enabled(train):
            hs = model(x, h0)
            yhat = model.decode(hs[-1])  # many-to-one : on décode le dernier état
            loss = criterion(yhat, y)
        if train:
            optim.zero_grad()
            loss.backward()
            optim.step()
        total_loss += loss.item() * y.size(0)
        correct += (yhat.argmax(1) == y).sum().item()
        n += y.size(0)
    return total_loss / n, correct / n


for epoch in tqdm(range(EPOCHS)):
    train_loss, train_acc = run_epoch(data_train, train=True)
    test_loss, test_acc = run_epoch(data_test, train=False)
    writer.add_scalar("Loss/train", train_loss, epoch)
    writer.add_scalar("Loss/test", test_loss, epoch)
    writer.add_scalar("Accuracy/train", train_acc, epoch)
    writer.add_scalar("Accuracy/test", test_acc, epoch)
    print(f"Epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.3f} | test loss {test_loss:.4f} acc {test_acc:.3f}")

# Précision en test pour des séquences de longueurs différentes
for length in [5, 10, 20, 30]:
    ds = SampleMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=length, stations_max=ds_train.stations_max)
    loss, acc = run_epoch(DataLoader(ds, batch_size=BATCH_SIZE), train=False)
    print(f"longueur {length} : précision {acc:.3f}")
