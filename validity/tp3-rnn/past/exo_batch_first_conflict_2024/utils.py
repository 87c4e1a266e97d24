import torch
import torch.nn as nn
from torch.utils.data import Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class RNN(nn.Module):
    """RNN "batch first" : les entrees sont de taille (batch, length, dim), comme ce que
    renvoie le DataLoader, donc pas besoin de transposer.
    """

    def __init__(self, input_dim, hidden_dim, output_dim, length):
        super().__init__()
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.output_dim = output_dim
        self.length = length  # longueur des sequences d'apprentissage
        self.Wx = nn.Linear(input_dim, hidden_dim)
        self.Wh = nn.Linear(hidden_dim, hidden_dim, bias=False)
        self.Wd = nn.Linear(hidden_dim, output_dim)

    def one_step(self, x, h):
        # x : (batch, input_dim), h : (batch, hidden_dim)
        return torch.tanh(self.Wx(x) + self.Wh(h))

    def forward(self, x, h):
        # x : (batch, length, input_dim)
        # sortie : (batch, length, hidden_dim) et le dernier etat (batch, hidden_dim)
        outs = []
        for t in range(x.size(1)):
            h = self.one_step(x[:, t, :], h)
            outs.append(h)
        return torch.stack(outs, dim=1), h

    def decode(self, h):
        return self.Wd(h)


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
