from utils import RNN, device, SampleMetroDataset
import torch
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
import matplotlib.pyplot as plt
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

latent_size = 50
nb_epochs = 50
rnn = RNN(latent_size, DIM_INPUT, CLASSES, device).to(device)
optimizer = torch.optim.Adam(rnn.parameters(), lr=0.001)
loss_fn = torch.nn.CrossEntropyLoss()
writer = SummaryWriter()

train_losses, test_losses, test_accs = [], [], []
for epoch in tqdm(range(nb_epochs)):
    rnn.train()
    epoch_loss = []
    for x, y in data_train:
        x = x.permute(1, 0, 2).to(device)
        y = y.to(device)
        h = torch.zeros(x.shape[1], latent_size)
        _, h = rnn(x, h)
        yhat = rnn.decode(h)
        loss = loss_fn(yhat, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss.append(loss.item())
    train_losses.append(sum(epoch_loss) / len(epoch_loss))

    rnn.eval()
    with torch.no_grad():
        epoch_loss, good, total = [], 0, 0
        for x, y in data_test:
            x = x.permute(1, 0, 2).to(device)
            y = y.to(device)
            h = torch.zeros(x.shape[1], latent_size)
            _, h = rnn(x, h)
            yhat = rnn.decode(h)
            epoch_loss.append(loss_fn(yhat, y).item())
            good += (torch.argmax(yhat, dim=1) == y).sum().item()
            total += len(y)
    test_losses.append(sum(epoch_loss) / len(epoch_loss))
    test_accs.append(good / total)
    writer.add_scalar("train/loss", train_losses[-1], epoch)
    writer.add_scalar("test/loss", test_losses[-1], epoch)
    writer.add_scalar("test/accuracy", test_accs[-1], epoch)

print("accuracy finale :", test_accs[-1])
plt.plot(train_losses, label="train")
plt.plot(test_losses, label="test")
plt.legend()
plt.show()
