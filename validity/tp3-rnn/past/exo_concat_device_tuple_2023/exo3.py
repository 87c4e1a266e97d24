from utils import RNN, device, ForecastMetroDataset
import torch
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

# On traite chaque station comme une serie independante (meme RNN pour toutes) :
# x : batch x length x stations x dim  ->  length x (batch*stations) x dim
latent_size = 50
nb_epochs = 30
rnn = RNN(latent_size, DIM_INPUT, DIM_INPUT, device).to(device)
# decode fait un softmax (pour la classification), ici on veut une regression
# donc on lit directement la couche de sortie
optimizer = torch.optim.Adam(rnn.parameters(), lr=0.001)
loss_fn = torch.nn.MSELoss()
writer = SummaryWriter()

for epoch in tqdm(range(nb_epochs)):
    losses = []
    for x, y in data_train:
        b, l, s, d = x.shape
        x = x.permute(1, 0, 2, 3).reshape(l, b * s, d).to(device)
        y = y.permute(1, 0, 2, 3).reshape(l, b * s, d).to(device)
        h = torch.zeros(b * s, latent_size)
        outputs, _ = rnn(x, h)
        yhat = rnn.lin_out(outputs)
        loss = loss_fn(yhat, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    writer.add_scalar("forecast/train", sum(losses) / len(losses), epoch)

    with torch.no_grad():
        losses = []
        for x, y in data_test:
            b, l, s, d = x.shape
            x = x.permute(1, 0, 2, 3).reshape(l, b * s, d).to(device)
            y = y.permute(1, 0, 2, 3).reshape(l, b * s, d).to(device)
            h = torch.zeros(b * s, latent_size)
            outputs, _ = rnn(x, h)
            losses.append(loss_fn(rnn.lin_out(outputs), y).item())
        writer.add_scalar("forecast/test", sum(losses) / len(losses), epoch)
        print(epoch, "test mse (t+1) :", sum(losses) / len(losses))
