from utils import RNN, device, ForecastMetroDataset
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

# Nombre de stations utilisé
CLASSES = 80
# Longueur des séquences
LENGTH = 20
# Dimension de l'entrée (1 (in) ou 2 (in/out))
DIM_INPUT = 2
# Taille du batch
BATCH_SIZE = 32
HORIZON = 3

PATH = "data/"

matrix_train, matrix_test = torch.load(open(PATH + "hzdataset.pch", "rb"))
ds_train = ForecastMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = ForecastMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH + HORIZON, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)


def stations_as_batch(x):
    # batch x length x stations x dim  ->  length x (batch*stations) x dim
    B, L, S, D = x.shape
    return x.permute(1, 0, 2, 3).reshape(L, B * S, D)


def forecast(model, x, horizon):
    hs, h = model(x)
    y = model.decode(h)
    preds = [y]
    for i in range(horizon - 1):
        # on reinjecte la prediction comme entree
        h = model.one_step(y, h)
        y = model.decode(h)
        preds.append(y)
    return torch.stack(preds)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    mse = nn.MSELoss()
    losses = []
    for epoch in tqdm(range(epochs)):
        total = 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(device), stations_as_batch(y).to(device)
            hs, _ = model(x)
            loss = mse(model.decode(hs), y)
            optim.zero_grad()
            loss.backward()
            optim.step()
            total += loss.item()
        losses.append(total / len(train_loader))
    return losses


def horizon_mse(model, loader, context, horizon):
    err_model = torch.zeros(horizon)
    err_persist = torch.zeros(horizon)
    n = 0
    with torch.no_grad():
        for x, y in loader:
            w = stations_as_batch(torch.cat([x[:, :1], y], dim=1)).to(device)
            seen, future = w[:context], w[context:]
            pred = forecast(model, seen, horizon)
            err_model += ((pred - future) ** 2).mean(dim=(1, 2)).cpu() * future.size(1)
            err_persist += ((seen[-1] - future) ** 2).mean(dim=(1, 2)).cpu() * future.size(1)
            n += future.size(1)
    return err_model / n, err_persist / n


writer = SummaryWriter("runs/exo3")
model = RNN(32, DIM_INPUT, DIM_INPUT).to(device)
losses = train_forecaster(model, data_train, epochs=20)
for i, l in enumerate(losses):
    writer.add_scalar("MSE/train", l, i)
res_model, res_persist = horizon_mse(model, data_test, LENGTH, HORIZON)
print("RNN :", res_model)
print("persistance :", res_persist)
