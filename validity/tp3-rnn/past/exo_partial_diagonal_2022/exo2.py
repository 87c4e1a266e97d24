from utils import RNN, device, SampleMetroDataset
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
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

LATENT = 32
model = RNN(DIM_INPUT, CLASSES, LATENT).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(40):
    model.train()
    losses = []
    for x, y in tqdm(data_train, leave=False):
        x = x.transpose(0, 1).to(device)
        h = torch.zeros(x.shape[1], LATENT).to(device)
        states = model(x, h)
        yhat = model.decode(states[-1])
        loss = loss_fn(yhat, y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())

    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in data_test:
            x = x.transpose(0, 1).to(device)
            h = torch.zeros(x.shape[1], LATENT).to(device)
            yhat = model.decode(model(x, h)[-1])
            correct += (yhat.argmax(1).cpu() == y).sum().item()
    print("epoch", epoch, "train loss", sum(losses) / len(losses), "test acc", correct / len(ds_test))
