from utils import RNN, device, ForecastMetroDataset
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
ds_train = ForecastMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = ForecastMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)

#  TODO:  Question 3 : Prédiction de séries temporelles

# Un seul RNN partagé par toutes les stations : chaque station est une série du batch.
# Sortie de même dimension que l'entrée, pas de softmax, et une loss MSE.
LATENT = 32
EPOCHS = 20
HORIZON = 3
writer = SummaryWriter("runs/metro_forecast")

model = RNN(DIM_INPUT, LATENT, DIM_INPUT).to(device)
optim = torch.optim.Adam(model.parameters(), lr=1e-3)
mse = nn.MSELoss()


def to_series(x):
    """batch x length x stations x dim -> length x (batch*stations) x dim"""
    b, l, s, d = x.shape
    return x.permute(1, 0, 2, 3).reshape(l, b * s, d)


def predict(model, x, horizon):
    """x : length x N x dim. Prédit les horizon pas suivants en réinjectant les prédictions."""
    h = torch.zeros(x.size(1), model.latent, device=x.device)
    hs = model(x, h)
    h = hs[-1]
    preds = []
    y = model.decode(h)
    preds.append(y)
    for _ in range(horizon - 1):
        h = model.one_step(y, h)
        y = model.decode(h)
        preds.append(y)
    return torch.stack(preds)  # horizon x N x dim


for epoch in tqdm(range(EPOCHS)):
    total = 0.0
    for x, y in data_train:
        x, y = to_series(x).to(device), to_series(y).to(device)
        h0 = torch.zeros(x.size(1), LATENT, device=device)
        yhat = model.decode(model(x, h0))  # many-to-many : on décode chaque pas
        loss = mse(yhat, y)
        optim.zero_grad()
        loss.backward()
        optim.step()
        total += loss.item()
    writer.add_scalar("MSE/train", total / len(data_train), epoch)

    # test : prédiction à t+1 .. t+HORIZON à partir des LENGTH-1-HORIZON premiers pas
    with torch.no_grad():
        err, err_persist, n = torch.zeros(HORIZON), torch.zeros(HORIZON), 0
        for x, y in data_test:
            seq = to_series(torch.cat([x[:, :1], y], 1)).to(device)
            ctx, future = seq[:-HORIZON], seq[-HORIZON:]
            pred = predict(model, ctx, HORIZON)
            err += ((pred - future) ** 2).mean((1, 2)).cpu()
            err_persist += ((ctx[-1:] - future) ** 2).mean((1, 2)).cpu()
            n += 1
        for k in range(HORIZON):
            writer.add_scalar(f"MSE/test_t+{k + 1}", err[k] / n, epoch)
    print(f"epoch {epoch} train {total / len(data_train):.5f} test {(err / n).tolist()} persistance {(err_persist / n).tolist()}")
