import math

import torch
import torch.nn as nn
from torch.utils.data import Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class RNN(nn.Module):
    """h_t = tanh(x_t W_x + h_{t-1} W_h + b), y = h W_o + b_o (poids "a la main")."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        k = 1 / math.sqrt(hidden_size)
        self.W_x = nn.Parameter(torch.empty(input_size, hidden_size).uniform_(-k, k))
        self.W_h = nn.Parameter(torch.empty(hidden_size, hidden_size).uniform_(-k, k))
        self.b = nn.Parameter(torch.zeros(hidden_size))
        self.W_o = nn.Parameter(torch.empty(hidden_size, output_size).uniform_(-k, k))
        self.b_o = nn.Parameter(torch.zeros(output_size))

    def one_step(self, x, h):
        return torch.tanh(x @ self.W_x + h @ self.W_h + self.b)

    def forward(self, x, h):
        # x : (length, batch, input_size) ; renvoie la liste des etats h_1 ... h_length
        hs = []
        for t in range(len(x)):
            h = self.one_step(x[t], h)
            hs.append(h)
        return hs

    def decode(self, h):
        return h @ self.W_o + self.b_o


class SampleMetroDataset(Dataset):
    def __init__(self, data, length=20, stations_max=None):
        """
        * data : tenseur des données au format  Nb_days x Nb_slots x Nb_Stations x {In,Out}
        * length : longueur des séquences d'exemple
        * stations_max : normalisation à appliquer
        """
        self.data, self.length = data, length
        ## Si pas de normalisation passée en entrée, calcul du max du flux entrant/sortant
        self.stations_max = stations_max if stations_max is not None else torch.max(self.data.view(-1, self.data.size(2), self.data.size(3)), 0)[0]
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
        """
        * data : tenseur des données au format  Nb_days x Nb_slots x Nb_Stations x {In,Out}
        * length : longueur des séquences d'exemple
        * stations_max : normalisation à appliquer
        """
        self.data, self.length = data, length
        ## Si pas de normalisation passée en entrée, calcul du max du flux entrant/sortant
        self.stations_max = stations_max if stations_max is not None else torch.max(self.data.view(-1, self.data.size(2), self.data.size(3)), 0)[0]
        ## Normalisation des données
        self.data = self.data / self.stations_max
        self.nb_days, self.nb_timeslots, self.classes = self.data.size(0), self.data.size(1), self.data.size(2)

    def __len__(self):
        ## longueur en fonction de la longueur considérée des séquences
        return self.nb_days * (self.nb_timeslots - self.length)

    def __getitem__(self, i):
        ## Transformation de l'indexation 1d vers indexation 2d
        ## renvoie x[d,t:t+length-1,:,:], x[d,t+1:t+length,:,:]
        timeslot = i // self.nb_days
        day = i % self.nb_days
        return self.data[day, timeslot:(timeslot + self.length - 1)], self.data[day, (timeslot + 1):(timeslot + self.length)]
