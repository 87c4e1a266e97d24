from utils import RNN, device, ForecastMetroDataset
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
ds_train = ForecastMetroDataset(matrix_train[:, :, :CLASSES, :DIM_INPUT], length=LENGTH)
ds_test = ForecastMetroDataset(matrix_test[:, :, :CLASSES, :DIM_INPUT], length=LENGTH, stations_max=ds_train.stations_max)
data_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
data_test = DataLoader(ds_test, batch_size=BATCH_SIZE, shuffle=False)

#  TODO:  Question 3 : Prédiction de séries temporelles

HIDDEN = 40
rnn = RNN(DIM_INPUT, HIDDEN, DIM_INPUT).to(device)
optim = torch.optim.Adam(rnn.parameters(), lr=1e-3)
writer = SummaryWriter()


def fold(x):
    # (batch, length, stations, dim) -> (length, batch * stations, dim)
    return x.transpose(0, 1).flatten(1, 2)


def rollout(x, horizon):
    # x : (length, n, dim). Predit t+1 ... t+horizon en reinjectant les predictions.
    h = rnn(x, torch.zeros(x.size(1), HIDDEN, device=x.device))[-1]
    out = []
    for k in range(horizon):
        y = rnn.decode(h)
        out.append(y)
        if k < horizon - 1:
            h = rnn.one_step(y, h)
    return torch.stack(out)


for epoch in tqdm(range(20)):
    for x, y in data_train:
        x, y = fold(x).to(device), fold(y).to(device)
        hs = torch.stack(rnn(x, torch.zeros(x.size(1), HIDDEN, device=device)))
        loss = F.mse_loss(rnn.decode(hs), y)
        optim.zero_grad()
        loss.backward()
        optim.step()

    with torch.no_grad():
        mse = torch.zeros(3)
        for x, y in data_test:
            w = fold(torch.cat([x[:, :1], y], 1)).to(device)
            mse += ((rollout(w[:-3], 3) - w[-3:]) ** 2).mean((1, 2)).cpu()
        mse /= len(data_test)
    for k in range(3):
        writer.add_scalar(f"test/mse_t+{k + 1}", mse[k], epoch)
    print(epoch, mse)
