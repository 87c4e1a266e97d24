"""Code fourni pour le TP 3 (réseaux récurrents) : à utiliser tel quel, sans le modifier.

- ``device`` : le GPU s'il y en a un, sinon le CPU ;
- ``SampleMetroDataset`` et ``ForecastMetroDataset`` : fenêtres des données du métro de Hangzhou,
  pour la classification (question 2) et la prédiction (question 3) ;
- le vocabulaire de caractères et ``SpeechDataset`` pour la génération (question 4).

Notations : ``D`` nombre de jours, ``T`` = 73 tranches d'un quart d'heure, ``S`` stations,
``dim`` canaux (1 ou 2 : les deux flux du fichier).
"""

from __future__ import annotations

import string
import unicodedata

import torch
from torch.utils.data import Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _station_maxima(data: torch.Tensor) -> torch.Tensor:
    """Maximum de chaque station et de chaque canal sur tous les jours et créneaux : ``(S, dim)``."""
    n_stations, dim = data.shape[2], data.shape[3]
    # reshape plutôt que view : la tranche [..., :1] d'un tenseur n'est pas contiguë.
    return torch.max(data.reshape(-1, n_stations, dim), 0)[0]


class SampleMetroDataset(Dataset):
    """Fenêtres d'une station étiquetées par la station (classification, question 2).

    ``data`` : ``(D, T, S, dim)``, des comptages. Les valeurs sont divisées par le maximum de
    chaque station et de chaque canal ; passez ``stations_max=train.stations_max`` au jeu de test
    pour qu'il soit normalisé comme l'apprentissage (ses valeurs peuvent alors dépasser 1).

    Un élément est ``(x, station)`` avec ``x = data[jour, t:t+length, station]`` de taille
    ``(length, dim)`` et ``station`` un entier dans ``[0, S)``. Les fenêtres commencent en
    ``t = 0 .. T-length-1`` ; l'indice parcourt d'abord les jours, puis les créneaux, puis les
    stations. Un DataLoader renvoie donc des lots ``(B, length, dim)`` : pensez à les transposer
    en ``(length, B, dim)`` pour le RNN.
    """

    def __init__(self, data, length=20, stations_max=None):
        self.length = length
        self.nb_days, self.nb_timeslots, self.classes, self.dim = data.shape
        self.stations_max = _station_maxima(data) if stations_max is None else stations_max
        self.data = data / self.stations_max

    def __len__(self):
        return self.classes * self.nb_days * (self.nb_timeslots - self.length)

    def __getitem__(self, i):
        per_station = self.nb_days * (self.nb_timeslots - self.length)
        station, i = divmod(i, per_station)
        timeslot, day = divmod(i, self.nb_days)
        return self.data[day, timeslot : timeslot + self.length, station], station


class ForecastMetroDataset(Dataset):
    """Fenêtres de toutes les stations à la fois, pour prédire le pas suivant (question 3).

    Même normalisation que ``SampleMetroDataset``. Un élément est ``(x, y)`` avec
    ``x = data[jour, t:t+length-1]`` et ``y = data[jour, t+1:t+length]``, chacun de taille
    ``(length-1, S, dim)`` : ``y`` est ``x`` décalé d'un pas. L'indice parcourt d'abord les jours,
    puis les créneaux ``t = 0 .. T-length-1``.
    """

    def __init__(self, data, length=20, stations_max=None):
        self.length = length
        self.nb_days, self.nb_timeslots, self.classes, self.dim = data.shape
        self.stations_max = _station_maxima(data) if stations_max is None else stations_max
        self.data = data / self.stations_max

    def __len__(self):
        return self.nb_days * (self.nb_timeslots - self.length)

    def __getitem__(self, i):
        timeslot, day = divmod(i, self.nb_days)
        window = self.data[day, timeslot : timeslot + self.length]
        return window[:-1], window[1:]


# --- Texte (question 4) -------------------------------------------------------------------
# 95 symboles aux indices 1..95 ; l'indice 0 est le symbole nul, qui sert au remplissage.
LETTRES = string.ascii_letters + string.punctuation + string.digits + " "
id2lettre = dict(zip(range(1, len(LETTRES) + 1), LETTRES))
id2lettre[0] = ""
lettre2id = {c: i for i, c in id2lettre.items()}
VOCAB_SIZE = len(id2lettre)  # 96


def normalize(s: str) -> str:
    """Décompose les accents (NFD) puis ne garde que les symboles de ``LETTRES`` : é → e."""
    return "".join(c for c in unicodedata.normalize("NFD", s) if c in LETTRES)


def string2code(s: str) -> torch.Tensor:
    """Chaîne (normalisée au passage) → indices, LongTensor de taille ``(len(normalize(s)),)``."""
    return torch.tensor([lettre2id[c] for c in normalize(s)], dtype=torch.long)


def code2string(t) -> str:
    """Indices (tenseur ou liste) → chaîne ; le symbole nul 0 ne produit aucun caractère."""
    if isinstance(t, torch.Tensor):
        t = t.tolist()
    return "".join(id2lettre[i] for i in t)


class SpeechDataset(Dataset):
    """Phrases d'un corpus, toutes de même longueur, pour apprendre à prédire le caractère suivant.

    Le texte est normalisé puis découpé sur les points. Chaque morceau voit ses blancs réduits à
    une espace et retirés aux bords ; les morceaux vides sont écartés, les autres reçoivent un
    point final puis sont tronqués à ``maxlen`` caractères. ``maxsent`` garde les premières
    phrases. Chaque phrase est complétée À GAUCHE par des 0 jusqu'à la longueur ``n`` de la plus
    longue.

    Un élément est ``(t[:-1], t[1:])`` : deux LongTensor de taille ``(n-1,)``, l'entrée et la
    cible décalée d'un caractère. Un DataLoader renvoie des lots ``(B, n-1)`` à transposer.
    """

    def __init__(self, text, *, maxsent=None, maxlen=None):
        sentences = (" ".join(piece.split()) for piece in normalize(text).split("."))
        self.sentences = [(s + ".")[:maxlen] for s in sentences if s]
        if maxsent is not None:
            self.sentences = self.sentences[:maxsent]
        self.maxlen = max((len(s) for s in self.sentences), default=0)

    def __len__(self):
        return len(self.sentences)

    def __getitem__(self, i):
        codes = string2code(self.sentences[i])
        t = torch.cat([torch.zeros(self.maxlen - len(codes), dtype=torch.long), codes])
        return t[:-1], t[1:]
