from utils import RNN, device, ForecastMetroDataset
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
ds_train = ForecastMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = ForecastMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)

#  TODO:  Question 3 : Prédiction de séries temporelles

HIDDEN = 64
HORIZON = 4


def flatten_stations(x):
    # (batch, length, stations, dim) -> (batch*stations, length, dim) : une serie par station
    b, l, s, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(b * s, l, d)


def multi_step(model, x, horizon):
    # x : (n, length, dim) -> predictions (n, horizon, dim), en reinjectant chaque prediction
    h0 = torch.zeros(x.size(0), HIDDEN, device=x.device)
    _, h = model(x, h0)
    y = model.decode(h)
    preds = [y]
    for _ in range(horizon - 1):
        h = model.one_step(y, h)
        y = model.decode(h)
        preds.append(y)
    return torch.stack(preds, dim=1)


model = RNN(DIM_INPUT, HIDDEN, DIM_INPUT, LENGTH - 1).to(device)
criterion = nn.MSELoss()
writer = SummaryWriter("runs/forecast")
<<<<<<< HEAD
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
EPOCHS = 30
=======
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 15
>>>>>>> 4f1c2ab (forecast: lr plus grand)

for epoch in range(EPOCHS):
    total = 0.0
    for x, y in data_train:
        x, y = flatten_stations(x).to(device), flatten_stations(y).to(device)
        h0 = torch.zeros(x.size(0), HIDDEN, device=device)
        out, _ = model(x, h0)
        loss = criterion(model.decode(out), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    writer.add_scalar("mse/train", total / len(data_train), epoch)

    # evaluation : on garde les LENGTH-1-HORIZON premiers pas et on predit les HORIZON suivants
    with torch.no_grad():
        errs = torch.zeros(HORIZON)
        for x, y in data_test:
            seq = flatten_stations(torch.cat([x[:, :1], y], dim=1)).to(device)
            pred = multi_step(model, seq[:, :-HORIZON], HORIZON)
            errs += ((pred - seq[:, -HORIZON:]) ** 2).mean(dim=(0, 2)).cpu()
        errs /= len(data_test)
    for k in range(HORIZON):
        writer.add_scalar(f"mse/test_t+{k + 1}", errs[k].item(), epoch)
    print(epoch, total / len(data_train), errs.tolist())
