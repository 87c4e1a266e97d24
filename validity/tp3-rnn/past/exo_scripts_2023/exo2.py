from utils import RNN, device, SampleMetroDataset
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm
import matplotlib.pyplot as plt

# Nombre de stations utilisé
CLASSES = 10
# Longueur des séquences
LENGTH = 20
# Dimension de l'entrée (1 (in) ou 2 (in/out))
DIM_INPUT = 2
# Taille du batch
BATCH_SIZE = 32

PATH = "data/"

matrix_train, matrix_test = torch.load(open(PATH + "hzdataset.pch", "rb"))
ds_train = SampleMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = SampleMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)

loss_fn = nn.CrossEntropyLoss()


def classify(model, x):
    # x : length x batch x dim, on decode le dernier etat caché
    hs, h = model(x)
    return model.decode(h)


def evaluate_classifier(model, loader):
    total_loss = 0
    correct = 0
    n = 0
    with torch.no_grad():
        for x, y in loader:
            x = x.transpose(0, 1).to(device)  # le loader donne batch x length x dim
            y = y.to(device)
            yhat = classify(model, x)
            total_loss += loss_fn(yhat, y).item()
            correct += (yhat.argmax(1) == y).sum().item()
            n += y.size(0)
    return total_loss / len(loader), correct / n


def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in tqdm(range(epochs)):
        epoch_loss, correct, n = 0, 0, 0
        for x, y in train_loader:
            x = x.transpose(0, 1).to(device)
            y = y.to(device)
            yhat = classify(model, x)
            loss = loss_fn(yhat, y)
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
            optim.step()
            epoch_loss += loss.item()
            correct += (yhat.argmax(1) == y).sum().item()
            n += y.size(0)
        test_loss, test_acc = evaluate_classifier(model, test_loader)
        history["train_loss"].append(epoch_loss / len(train_loader))
        history["train_acc"].append(correct / n)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        print(f"epoch {epoch} : train loss {epoch_loss / len(train_loader):.3f}, test acc {test_acc:.3f}")
    return history


writer = SummaryWriter("runs/exo2")
model = RNN(32, DIM_INPUT, CLASSES).to(device)
history = train_classifier(model, data_train, data_test, epochs=30)

for epoch in range(len(history["train_loss"])):
    writer.add_scalar("Loss/train", history["train_loss"][epoch], epoch)
    writer.add_scalar("Loss/test", history["test_loss"][epoch], epoch)
    writer.add_scalar("Accuracy/test", history["test_acc"][epoch], epoch)

plt.plot(history["train_acc"], label="train")
plt.plot(history["test_acc"], label="test")
plt.legend()
plt.savefig("exo2_acc.png")

# precision pour differentes longueurs de sequences
for length in [5, 10, 20, 30]:
    ds = SampleMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=length, stations_max=ds_train.stations_max)
    print(length, evaluate_classifier(model, DataLoader(ds, batch_size=BATCH_SIZE)))
