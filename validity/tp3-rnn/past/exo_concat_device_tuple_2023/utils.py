import torch
import torch.nn as nn
from torch.utils.data import Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class RNN(nn.Module):
    # une seule couche lineaire sur la concatenation [x, h] (autorise par l'enonce)
    def __init__(self, latent_size, input_size, output_size, device):
        super(RNN, self).__init__()
        self.latent_size = latent_size
        self.input_size = input_size
        self.output_size = output_size
        self.device = device
        self.lin_hidden = nn.Linear(input_size + latent_size, latent_size)
        self.lin_out = nn.Linear(latent_size, output_size)
        self.tanh = nn.Tanh()
        self.softmax = nn.Softmax(dim=-1)

    def one_step(self, x, h):
        # x : batch x input_size ; h : batch x latent_size
        return self.tanh(self.lin_hidden(torch.cat((x, h), dim=1)))

    def forward(self, x, h):
        # x : length x batch x input_size
        # renvoie la sequence des etats caches et le dernier etat
        h = h.to(self.device)
        outputs = torch.zeros(x.shape[0], x.shape[1], self.latent_size, device=self.device, dtype=h.dtype)
        for i in range(x.shape[0]):
            h = self.one_step(x[i], h)
            outputs[i] = h
        return outputs, h

    def decode(self, h):
        # probabilites des classes
        return self.softmax(self.lin_out(h))


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
