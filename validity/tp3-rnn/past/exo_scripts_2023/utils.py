import torch
import torch.nn as nn
from torch.utils.data import Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class RNN(nn.Module):
    # h_t = tanh(W_i x_t + W_h h_{t-1} + b)
    # NB : je mets la taille latente en premier, comme dans mes notes de cours
    def __init__(self, latent, dim, output):
        super().__init__()
        self.latent = latent
        self.dim = dim
        self.output = output
        self.lin_x = nn.Linear(dim, latent)
        self.lin_h = nn.Linear(latent, latent)
        self.lin_out = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        """x : batch x dim, h : batch x latent"""
        return torch.tanh(self.lin_x(x) + self.lin_h(h))

    def forward(self, x, h=None):
        """x : length x batch x dim
        renvoie tous les etats (length x batch x latent) et le dernier (batch x latent)"""
        if h is None:
            h = torch.zeros(x.size(1), self.latent).to(x.device)
        hs = []
        for t in range(x.size(0)):
            h = self.one_step(x[t], h)
            hs.append(h)
        return torch.stack(hs), h

    def decode(self, h):
        return self.lin_out(h)


class SampleMetroDataset(Dataset):
    def __init__(self, data, length=20, stations_max=None):
        """
        * data : tenseur des données au format  Nb_days x Nb_slots x Nb_Stations x {In,Out}
        * length : longueur des séquences d'exemple
        * stations_max : normalisation à appliquer
        """
        self.data, self.length = data, length
        ## Si pas de normalisation passée en entrée, calcul du max du flux entrant/sortant
        self.stations_max = stations_max if stations_max is not None else torch.max(self.data.reshape(-1, self.data.size(2), self.data.size(3)), 0)[0]
        ## Normalisation des données
        self.data = self.data / self.stations_max
        self.nb_days, self.nb_timeslots, self.classes = self.data.size(0), self.data.size(1), self.data.size(2)

    def __len__(self):
        ## longueur en fonction de la longueur considérée des séquences
        return self.classes * self.nb_days * (self.nb_timeslots - self.length)

    def __getitem__(self, i):
        ## transformation de l'index 1d vers une indexation 3d
        ## renvoie une séquence de longueur length et l'id de la station.
        station = i // ((self.nb_timeslots - self.length) * self.nb_days)
        i = i % ((self.nb_timeslots - self.length) * self.nb_days)
        timeslot = i // self.nb_days
        day = i % self.nb_days
        return self.data[day, timeslot:(timeslot + self.length), station], station


class ForecastMetroDataset(Dataset):
    def __init__(self, data, length=20, stations_max=None):
        self.data, self.length = data, length
        self.stations_max = stations_max if stations_max is not None else torch.max(self.data.reshape(-1, self.data.size(2), self.data.size(3)), 0)[0]
        self.data = self.data / self.stations_max
        self.nb_days, self.nb_timeslots, self.classes = self.data.size(0), self.data.size(1), self.data.size(2)

    def __len__(self):
        return self.nb_days * (self.nb_timeslots - self.length)

    def __getitem__(self, i):
        timeslot = i // self.nb_days
        day = i % self.nb_days
        return self.data[day, timeslot:(timeslot + self.length - 1)], self.data[day, (timeslot + 1):(timeslot + self.length)]
