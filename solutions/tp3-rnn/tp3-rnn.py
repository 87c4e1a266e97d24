# %% [markdown]
# # TP 3 — Réseaux récurrents
#
# Un réseau récurrent (RNN) lit une séquence élément par élément en mettant à jour un **état
# caché** qui résume ce qu'il a vu ; un **décodeur** transforme un état caché en sortie. Dans ce
# TP, vous écrivez **une seule** classe `RNN`, puis vous la réutilisez pour trois tâches qui ne
# diffèrent que par la supervision et par l'usage des états cachés :
#
# 1. **classer** une séquence (*many-to-one*) : reconnaître la station de métro qui a produit
#    une série de flux ;
# 2. **prédire** la suite d'une série temporelle (*many-to-many*) : les flux de toutes les
#    stations aux instants suivants ;
# 3. **engendrer** du texte caractère par caractère, sur une longueur fixée à l'avance.
#
# **Les fichiers.** `utils.py` est fourni et s'utilise tel quel : `device`, les jeux de données
# du métro (`SampleMetroDataset`, `ForecastMetroDataset`) et le vocabulaire de caractères
# (`normalize`, `string2code`, `code2string`, `SpeechDataset`). Le code à écrire se trouve dans
# ce notebook, aux endroits qui contiennent `raise NotImplementedError(...)`. Ne changez ni les
# noms ni les signatures : le correcteur automatique appelle ces fonctions directement.
#
# **Notations des formes.** `L` longueur de séquence, `B` taille du batch, `D` dimension d'un
# élément de la séquence (*dim*), `H` dimension de l'état caché (*latent*), `O` dimension de
# sortie (*output*), `C` nombre de classes, `S` nombre de stations, `V` taille du vocabulaire
# (96). Comme dans l'énoncé, les séquences sont rangées **« séquence d'abord »** : un batch a la
# forme `(L, B, D)`. Les `DataLoader` renvoient au contraire des batchs `(B, L, ...)` : il faut
# les transposer.
#
# **Ce qui est exécuté par le correcteur.** Les cellules marquées `skip-grading` (chargement des
# données, apprentissages, figures) ne sont jamais lancées par le correcteur ; toutes les autres
# le sont, dans l'ordre : elles ne doivent contenir que des imports, des constantes et des
# définitions. La question à réponse rédigée est corrigée à la main.
#
# **Les données.** `coursedata.load_metro()` et `coursedata.load_speeches()` lisent les fichiers
# du cours (`hzdataset.pch`, `trump_full_speech.txt`) s'ils sont dans `./data/` ; sinon elles
# utilisent des données de remplacement (métro synthétique, discours sur l'état de l'Union) et le
# signalent. Les chiffres obtenus dépendent donc de la source.

# %%
import os
import time

import coursedata
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from tqdm.auto import tqdm
from utils import (
    VOCAB_SIZE,
    ForecastMetroDataset,
    SampleMetroDataset,
    SpeechDataset,
    code2string,
    string2code,
)

# RNNKIT_QUICK=1: a smoke run (a few batches, one short epoch) instead of the real experiments.
QUICK = os.environ.get("RNNKIT_QUICK", "0") == "1"
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
START = time.perf_counter()

# %% [markdown] question="Q1" points=8
# ## Question 1 — La classe `RNN` (8 points)
#
# Écrivez un RNN simple dont l'état caché suit
#
# $$h_t = \tanh(W_i\, x_t + W_h\, h_{t-1} + b)$$
#
# et dont le décodeur est linéaire, $y_t = W_d\, h_t + b_d$. Vous pouvez utiliser deux couches
# `nn.Linear` (une pour l'entrée, une pour l'état) ou une seule sur la concaténation `[x, h]`.
#
# | méthode | entrée | sortie |
# |---|---|---|
# | `RNN(dim, latent, output)` | `D`, `H`, `O` | le module |
# | `init_state(batch)` (fournie) | `B` | zéros `(B, H)` |
# | `one_step(x, h)` | `x : (B, D)`, `h : (B, H)` | l'état suivant `(B, H)` |
# | `forward(x, h=None)` | `x : (L, B, D)`, `h : (B, H)` ou `None` | tous les états `(L, B, H)` |
# | `decode(h)` | `h : (..., H)` | `(..., O)` |
#
# Précisions :
#
# - `forward` appelle `one_step` à chaque pas de temps et renvoie $h_1, \dots, h_L$ (pas
#   $h_0$) ; si `h` vaut `None`, l'état initial est nul (`init_state`).
# - `decode` renvoie des **scores bruts**, sans softmax ni sigmoïde : les coûts de PyTorch
#   (`F.cross_entropy`) appliquent eux-mêmes la normalisation. `decode` doit accepter un
#   tenseur avec des dimensions en tête, par exemple tous les états `(L, B, H)` d'un coup.
# - N'écrivez pas `.cuda()` : le modèle et les données sont déplacés avec `.to(device)`.
#
# **Ce qui est noté** : les formes ; `forward` identique à `one_step` itéré ; les valeurs et les
# gradients, comparés à `torch.nn.RNN` (non-linéarité `tanh`) après copie de vos poids ;
# `decode` sans normalisation.


# %%
class RNN(nn.Module):
    """RNN simple : h_t = tanh(W_i x_t + W_h h_{t-1} + b), décodeur linéaire."""

    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        # BEGIN SOLUTION
        self.input2hidden = nn.Linear(dim, latent)
        # One bias is enough: a second one on the hidden term would be redundant.
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)
        # END SOLUTION

    def init_state(self, batch):
        """État initial nul (B, H), du type et sur le device des paramètres du modèle."""
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        """Un pas de temps. x: (B, D), h: (B, H) -> (B, H)."""
        # BEGIN SOLUTION
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))
        # END SOLUTION

    def forward(self, x, h=None):
        """Toute la séquence. x: (L, B, D), h: (B, H) ou None -> états h_1..h_L (L, B, H)."""
        # BEGIN SOLUTION
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)
        # END SOLUTION

    def decode(self, h):
        """Scores bruts. h: (..., H) -> (..., O)."""
        # BEGIN SOLUTION
        return self.hidden2output(h)
        # END SOLUTION


# %% [markdown]
# Une vérification rapide des formes (cette cellule n'est pas notée) :

# %% tags=["skip-grading"]
_check = RNN(dim=3, latent=5, output=2)
_states = _check(torch.randn(7, 4, 3))
print(_states.shape, _check.decode(_states[-1]).shape)  # (7, 4, 5) et (4, 2)

# %% [markdown] question="Q2" points=4
# ## Question 2 — Classer une séquence : de quelle station vient-elle ? (4 points)
#
# Le jeu du métro de Hangzhou compte les passages aux portiques de `S` = 80 stations, par quart
# d'heure de 5 h 30 à 23 h 30 (`T` = 73 créneaux), sur deux canaux (les flux entrant et
# sortant). `coursedata.load_metro()` renvoie `train` `(18, 73, 80, 2)` et `test`
# `(7, 73, 80, 2)` (des jours différents). On garde les `CLASSES = 10` premières stations, et
# d'abord un seul canal (`DIM_INPUT = 1`), puis les deux.
#
# `SampleMetroDataset(data, length)` découpe des fenêtres `(length, dim)` d'une seule station,
# étiquetées par le numéro de la station, après division par le maximum de chaque station sur
# l'apprentissage (le jeu de test réutilise ces maxima : `stations_max=ds_train.stations_max`).
#
# C'est un problème *many-to-one* : on lit toute la fenêtre à partir d'un état nul, puis on
# décode **le dernier état caché** en `C` scores ; le coût est l'entropie croisée et
# l'erreur 0-1 mesure la qualité. Écrivez :
#
# - `classify(model, x)` : `x : (L, B, D)` → scores `(B, C)` ;
# - `evaluate_classifier(model, loader)` → `(coût moyen, taux de bonnes réponses)` sur tout le
#   loader (batchs `(B, L, D)` et étiquettes `(B,)`), sans calcul de gradient ;
# - `train_classifier(model, train_loader, test_loader, epochs, lr)` : Adam, une ligne par
#   époque dans l'historique renvoyé (un dictionnaire de listes `train_loss`, `train_acc`,
#   `test_loss`, `test_acc`). Les batchs sont envoyés sur le device du modèle.
#
# Un RNN simple apprend parfois par à-coups (gradients qui explosent) : écrêter la norme du
# gradient (`nn.utils.clip_grad_norm_`) stabilise l'apprentissage. Observez ensuite la
# précision **en test pour des longueurs de séquences différentes** (5, 10, 20, 30) : le RNN
# accepte n'importe quelle longueur, bien qu'il n'ait vu que des fenêtres de 20 pas.
#
# **Ce qui est noté** : `classify` (formes, dernier état décodé) et un test d'apprentissage où le
# correcteur entraîne **votre** `RNN` avec sa propre boucle sur de petites données ; vos
# expériences ne sont pas exécutées par le correcteur.

# %%
CLASSES = 10  # the first 10 stations
LENGTH = 20
BATCH_SIZE = 32


def classify(model, x):
    """Many-to-one : x (L, B, D) -> scores (B, C) décodés du dernier état caché."""
    # BEGIN SOLUTION
    return model.decode(model(x)[-1])
    # END SOLUTION


def evaluate_classifier(model, loader):
    """(coût moyen, précision) sur un loader de batchs (B, L, D) et d'étiquettes (B,)."""
    # BEGIN SOLUTION
    where = next(model.parameters()).device
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.transpose(0, 1).to(where), y.to(where)
            scores = classify(model, x)
            total_loss += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count
    # END SOLUTION


def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    """Entraîne le classifieur ; renvoie l'historique par époque (dict de listes)."""
    # BEGIN SOLUTION
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # Decaying the step size damps the late oscillations of a plain RNN.
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in tqdm(range(epochs), desc="époques"):
        total_loss, correct, count = 0.0, 0, 0
        for x, y in train_loader:
            x, y = x.transpose(0, 1).to(where), y.to(where)
            scores = classify(model, x)
            loss = F.cross_entropy(scores, y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
        scheduler.step()
        test_loss, test_acc = evaluate_classifier(model, test_loader)
        history["train_loss"].append(total_loss / count)
        history["train_acc"].append(correct / count)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
    # END SOLUTION


# %% [markdown]
# Les expériences ci-dessous durent environ une demi-minute par modèle sur un CPU à deux cœurs ;
# plus d'époques (ou un état caché plus grand) donnent de meilleurs résultats. Le troisième modèle
# suit la suggestion de l'énoncé : la longueur des séquences change d'un batch à l'autre (de 5 à
# 20 pas, en gardant la fin des fenêtres).

# %% tags=["skip-grading"] question="Q2"
# Small matrices: on a CPU one thread is faster than several (and much faster on a busy machine).
torch.set_num_threads(1)
metro = coursedata.load_metro()
print(metro.describe())
EPOCHS_CLS = 1 if QUICK else 25
LATENT_CLS = 64


def metro_windows(dim, length, stations_max=None, split="train"):
    data = (metro.train if split == "train" else metro.test)[:, :, :CLASSES, :dim]
    return SampleMetroDataset(data, length=length, stations_max=stations_max)


class RandomLengths:
    """Wraps a loader: each batch keeps only its last ℓ steps, ℓ drawn in [shortest, longest]."""

    def __init__(self, loader, shortest, longest):
        self.loader, self.shortest, self.longest = loader, shortest, longest

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            length = int(torch.randint(self.shortest, self.longest + 1, ()))
            yield x[:, -length:], y


# (DIM_INPUT, lengths seen in training): fixed windows of 20 steps, or 5 to 20 steps per batch.
RUNS = ((1, "fixe"), (2, "fixe"), (2, "variable"))
classifiers, histories = {}, {}
for dim, lengths in RUNS:
    torch.manual_seed(0)
    ds_train = metro_windows(dim, LENGTH)
    ds_test = metro_windows(dim, LENGTH, ds_train.stations_max, "test")
    if QUICK:
        ds_train = Subset(ds_train, torch.randperm(len(ds_train))[:640].tolist())
        ds_test = Subset(ds_test, torch.randperm(len(ds_test))[:320].tolist())
    train_loader = DataLoader(ds_train, batch_size=2 * BATCH_SIZE, shuffle=True)
    if lengths == "variable":
        train_loader = RandomLengths(train_loader, 5, LENGTH)
    test_loader = DataLoader(ds_test, batch_size=512)
    model = RNN(dim, LATENT_CLS, CLASSES).to(device)
    start = time.perf_counter()
    h = train_classifier(model, train_loader, test_loader, epochs=EPOCHS_CLS, lr=3e-3)
    classifiers[dim, lengths], histories[dim, lengths] = model, h
    print(
        f"DIM_INPUT={dim}, longueur {lengths}: apprentissage coût {h['train_loss'][-1]:.3f} "
        f"précision {h['train_acc'][-1]:.3f} | test (L=20) coût {h['test_loss'][-1]:.3f} "
        f"précision {h['test_acc'][-1]:.3f} ({time.perf_counter() - start:.0f} s)"
    )

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for (dim, lengths), h in histories.items():
    epochs = range(1, len(h["train_loss"]) + 1)
    (line,) = axes[0].plot(epochs, h["train_loss"], label=f"apprentissage, dim={dim}, {lengths}")
    axes[0].plot(
        epochs, h["test_loss"], "--", color=line.get_color(), label=f"test, dim={dim}, {lengths}"
    )
    axes[1].plot(epochs, h["train_acc"], color=line.get_color())
    axes[1].plot(epochs, h["test_acc"], "--", color=line.get_color())
axes[0].set(xlabel="époque", ylabel="entropie croisée")
axes[1].set(xlabel="époque", ylabel="précision (L=20 en test)", ylim=(0, 1))
axes[1].axhline(1 / CLASSES, color="grey", lw=0.8)  # chance level
axes[0].legend(fontsize=7)
fig.tight_layout()
fig.savefig("q2_classification.png", dpi=100)
plt.show()

# %% [markdown]
# Précision en test selon la longueur des fenêtres : pour une longueur ℓ, on reprend toutes les
# fenêtres de longueur ℓ des jours de test (même normalisation) et le modèle les lit de bout en
# bout. Comparez le modèle qui n'a vu que des fenêtres de 20 pas à celui qui a vu des longueurs
# variables.

# %% tags=["skip-grading"] question="Q2"
TEST_LENGTHS = (5, 10, 20, 30)
for (dim, lengths), model in classifiers.items():
    stations_max = metro_windows(dim, LENGTH).stations_max
    scores = []
    for length in TEST_LENGTHS:
        ds = metro_windows(dim, length, stations_max, "test")
        if QUICK:
            ds = Subset(ds, range(0, len(ds), 20))
        scores.append(evaluate_classifier(model, DataLoader(ds, batch_size=512))[1])
    print(
        f"DIM_INPUT={dim}, longueur {lengths}: "
        + ", ".join(f"L={n}: {acc:.3f}" for n, acc in zip(TEST_LENGTHS, scores))
    )

# %% [markdown] question="Q3" points=2
# ## Question 3 — Prédire la suite des flux (2 points)
#
# On veut maintenant, à partir des flux de **toutes** les stations jusqu'à l'instant `t`, prédire
# ceux des instants `t+1`, `t+2`, … C'est un problème *many-to-many* : on décode l'état caché à
# **chaque** pas. `ForecastMetroDataset(data, length)` renvoie des paires `(x, y)` de forme
# `(length-1, S, D)` où `y` est `x` décalé d'un pas ; un `DataLoader` les groupe en
# `(B, length-1, S, D)`.
#
# Un **seul** RNN, partagé par toutes les stations, lit chaque station comme une série de
# dimension `D` : on range les stations dans la dimension du batch. Le modèle est un
# `RNN(D, H, D)`, dont la sortie a la dimension de l'entrée. Écrivez :
#
# - `stations_as_batch(x)` : `(B, L, S, D)` → `(L, B·S, D)`, la série de la station `s` de
#   l'exemple `b` se trouvant à l'indice `b·S + s` ;
# - `forecast(model, x, horizon)` : `x : (L, N, D)` → prédictions `(horizon, N, D)` des
#   `horizon` pas qui suivent `x`. Le premier pas est le décodage du dernier état caché ; ensuite
#   la prédiction sert d'entrée au pas suivant (`one_step`), et ainsi de suite ;
# - `train_forecaster(model, train_loader, epochs, lr)` : apprentissage « un pas en avant » (le
#   décodage de chaque état est comparé à la valeur suivante, avec l'erreur quadratique
#   moyenne) ; renvoie la liste des coûts moyens par époque ;
# - `horizon_mse(model, loader, context, horizon)` : le loader parcourt
#   `ForecastMetroDataset(test, length=context + horizon)` ; pour chaque fenêtre, le modèle lit
#   les `context` premiers pas et prédit les `horizon` suivants. Renvoie deux tenseurs
#   `(horizon,)` : l'erreur quadratique moyenne du modèle à chaque horizon, et celle de la
#   **persistance** (prédire $x_{t+h} = x_t$, la dernière valeur vue), la référence à battre.
#
# Faites les expériences avec un canal puis deux, et regardez comment l'erreur croît avec
# l'horizon. Pour aller plus loin : faire varier la longueur du contexte, ou apprendre un modèle
# par horizon (cible décalée de `h` pas) et le comparer à la prédiction itérée.
#
# **Ce qui est noté** : `stations_as_batch` et `forecast` (formes et calcul) ; les expériences ne
# sont pas exécutées par le correcteur.


# %%
def stations_as_batch(x):
    """(B, L, S, D) -> (L, B·S, D) : une série par station et par exemple."""
    # BEGIN SOLUTION
    batch, length, stations, dim = x.shape
    return x.permute(1, 0, 2, 3).reshape(length, batch * stations, dim)
    # END SOLUTION


def forecast(model, x, horizon):
    """Lit x (L, N, D) et prédit les `horizon` pas suivants : (horizon, N, D)."""
    # BEGIN SOLUTION
    h = model(x)[-1]
    prediction = model.decode(h)
    predictions = [prediction]
    for _ in range(horizon - 1):
        # No observation beyond x: the model's own prediction is the next input.
        h = model.one_step(prediction, h)
        prediction = model.decode(h)
        predictions.append(prediction)
    return torch.stack(predictions)
    # END SOLUTION


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    """Apprentissage un pas en avant (MSE à chaque pas) ; renvoie le coût moyen par époque."""
    # BEGIN SOLUTION
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in tqdm(range(epochs), desc="époques"):
        total, count = 0.0, 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(where), stations_as_batch(y).to(where)
            loss = F.mse_loss(model.decode(model(x)), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * y.shape[1]
            count += y.shape[1]
        losses.append(total / count)
    return losses
    # END SOLUTION


def horizon_mse(model, loader, context, horizon):
    """MSE par horizon (horizon,) du modèle et de la persistance sur des fenêtres context+horizon."""
    # BEGIN SOLUTION
    where = next(model.parameters()).device
    model_se, persistence_se = torch.zeros(horizon), torch.zeros(horizon)
    count = 0
    with torch.no_grad():
        for x, y in loader:
            window = stations_as_batch(torch.cat([x[:, :1], y], dim=1)).to(
                where
            )  # (context+horizon, N, D)
            seen, future = window[:context], window[context:]
            predicted = forecast(model, seen, horizon)
            model_se += ((predicted - future) ** 2).flatten(1).sum(1).cpu()
            persistence_se += ((seen[-1] - future) ** 2).flatten(1).sum(1).cpu()
            count += future[0].numel()
    return model_se / count, persistence_se / count
    # END SOLUTION


# %% tags=["skip-grading"] question="Q3"
EPOCHS_FC = 1 if QUICK else 20
HORIZON = 3
LATENT_FC = 32
forecast_results = {}
for dim in (1, 2):
    torch.manual_seed(0)
    ds_train = ForecastMetroDataset(metro.train[..., :dim], length=LENGTH)
    ds_test = ForecastMetroDataset(
        metro.test[..., :dim], length=LENGTH + HORIZON, stations_max=ds_train.stations_max
    )
    if QUICK:
        ds_train, ds_test = (
            Subset(ds_train, range(0, len(ds_train), 10)),
            Subset(ds_test, range(0, len(ds_test), 10)),
        )
    model = RNN(dim, LATENT_FC, dim).to(device)
    start = time.perf_counter()
    losses = train_forecaster(
        model, DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True), epochs=EPOCHS_FC, lr=3e-3
    )
    model_mse, persistence = horizon_mse(
        model, DataLoader(ds_test, batch_size=BATCH_SIZE), LENGTH, HORIZON
    )
    forecast_results[dim] = (model_mse, persistence)
    print(
        f"DIM_INPUT={dim}: coût d'apprentissage {losses[0]:.4f} -> {losses[-1]:.4f} "
        f"({time.perf_counter() - start:.0f} s)"
    )
    for h in range(HORIZON):
        print(f"  t+{h + 1}: MSE RNN {model_mse[h]:.5f}, persistance {persistence[h]:.5f}")

fig, ax = plt.subplots(figsize=(5, 3.5))
horizons = range(1, HORIZON + 1)
for dim, (model_mse, persistence) in forecast_results.items():
    ax.plot(horizons, model_mse, "o-", label=f"RNN, dim={dim}")
    ax.plot(horizons, persistence, "x--", label=f"persistance, dim={dim}")
ax.set(xlabel="horizon (quarts d'heure)", ylabel="MSE en test", xticks=list(horizons))
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig("q3_forecast.png", dpi=100)
plt.show()

# %% [markdown] question="Q3b" points=2 manual=true
# ## Question 3b — Qu'est-ce qui change par rapport à la classification ? (2 points)
#
# Répondez en quelques phrases : que faut-il changer au modèle et à la supervision pour passer de
# la classification à la prédiction, et quel coût remplace l'entropie croisée ? Justifiez.

# %% [markdown] tags=["answer"] question="Q3b"
# BEGIN SOLUTION
# - **Sortie et décodeur.** On ne prédit plus une classe mais des valeurs réelles : le décodeur
#   est une couche linéaire sans softmax, de sortie de même dimension que l'entrée (`D` = 1 ou 2
#   flux par station avec un RNN partagé, soit `n × 2` valeurs pour les `n` stations ensemble).
# - **Décodage à chaque pas (many-to-many).** On décode tous les états $h_1..h_{L-1}$ et non
#   plus le dernier seul ; la cible de l'instant `t` est l'observation de `t+1` (de `t+h` pour
#   un horizon `h`, ou bien on réinjecte les prédictions en entrée pour avancer de plusieurs pas).
#   Le coût est cumulé sur tous les pas avant la rétropropagation.
# - **Coût.** C'est une régression : l'erreur quadratique moyenne (MSE), éventuellement L1 ou
#   Huber si l'on craint les valeurs extrêmes. L'entropie croisée suppose une distribution sur
#   des classes discrètes, ce que ne sont pas des flux normalisés.
# - **Données.** Les stations sont traitées comme des séries indépendantes rangées dans le batch,
#   ce qui partage les poids entre stations et multiplie les exemples.
# END SOLUTION

# %% [markdown] question="Q4" points=4
# ## Question 4 — Engendrer du texte de longueur fixe (4 points)
#
# On apprend un RNN à prédire le caractère suivant sur un corpus de discours politiques
# (`coursedata.load_speeches()`). Le vocabulaire est celui de `utils.py` : 95 symboles aux
# indices 1 à 95, et le symbole nul 0 qui sert au remplissage (`V = VOCAB_SIZE = 96`).
# `SpeechDataset(text, maxlen=...)` donne des phrases de même longueur `n` (complétées à gauche
# par des 0) sous forme de paires `(t[:-1], t[1:])`.
#
# **Embedding.** Un caractère est d'abord codé en *one-hot* (vecteur de `V` zéros avec un 1 à
# son indice), puis projeté linéairement dans un espace de dimension `dim`, appris en même temps
# que le RNN. Écrivez le module `OneHotLinear(vocab_size, dim)` : `x : (L, B)` LongTensor →
# `(L, B, dim)`, égal à `nn.Linear(vocab_size, dim)` appliquée aux vecteurs one-hot (voir
# `F.one_hot`). Le modèle de langue est alors `RNN(dim, H, V)`, dont les scores `(L, B, V)` sont
# comparés aux caractères suivants par l'entropie croisée (on ignore les positions de
# remplissage, de cible 0).
#
# **Génération.** Écrivez `generate_fixed(rnn, emb, start, length, *, sample=False)` :
#
# - lire le début `start` (chaîne, éventuellement vide : on part alors de l'état nul et le premier
#   caractère est décodé de cet état) ;
# - produire ensuite **exactement** `length` caractères, un par pas : le plus probable
#   (`argmax` des scores de `rnn.decode`) ou, si `sample=True`, tiré selon le softmax ; chaque
#   caractère produit est l'entrée du pas suivant. Le symbole nul n'est jamais produit ;
# - renvoyer `start + texte produit` (une chaîne de `len(start) + length` caractères).
#
# **Ce qui est noté** : `OneHotLinear` (comparé à une couche linéaire sur le one-hot, mêmes
# poids) ; `generate_fixed` (longueur, déterminisme du mode glouton, départ vide, cohérence avec
# les scores du modèle).


# %%
class OneHotLinear(nn.Module):
    """Embedding one-hot puis linéaire : x (L, B) LongTensor -> (L, B, dim)."""

    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        # BEGIN SOLUTION
        self.linear = nn.Linear(vocab_size, dim)
        # END SOLUTION

    def forward(self, x):
        """x: (L, B) indices -> (L, B, dim)."""
        # BEGIN SOLUTION
        return self.linear(F.one_hot(x, self.vocab_size).to(self.linear.weight.dtype))
        # END SOLUTION


def generate_fixed(rnn, emb, start, length, *, sample=False):
    """Lit `start` puis produit exactement `length` caractères ; renvoie start + suite (str)."""
    # BEGIN SOLUTION
    where = next(rnn.parameters()).device
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            h = rnn(emb(codes.view(-1, 1).to(where)), h)[-1]
        for _ in range(length):
            scores = rnn.decode(h)[0].clone()
            scores[0] = -float("inf")  # the null symbol pads sentences, it is never written
            if sample:
                code = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                code = scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    return start + code2string(generated)
    # END SOLUTION


# %% [markdown]
# L'apprentissage ci-dessous dure environ une minute sur un CPU à deux cœurs. Avec plus
# d'époques et un état caché plus grand, les mots deviennent nettement plus lisibles.

# %% tags=["skip-grading"] question="Q4"
torch.set_num_threads(1)
torch.manual_seed(0)
corpus = coursedata.load_speeches(sample=QUICK)
print(corpus.describe())
MAXLEN = 60
speech_ds = SpeechDataset(corpus.text, maxlen=MAXLEN, maxsent=200 if QUICK else None)
speech_loader = DataLoader(speech_ds, batch_size=64, shuffle=True)
EPOCHS_GEN = 1 if QUICK else 6
EMB_DIM, LATENT_GEN = 32, 128
emb = OneHotLinear(VOCAB_SIZE, EMB_DIM).to(device)
lm = RNN(EMB_DIM, LATENT_GEN, VOCAB_SIZE).to(device)
optimizer = torch.optim.Adam([*emb.parameters(), *lm.parameters()], lr=3e-3)
batch_losses = []
start = time.perf_counter()
for epoch in range(EPOCHS_GEN):
    for x, y in tqdm(speech_loader, desc=f"époque {epoch + 1}"):
        x, y = x.t().to(device), y.t().to(device)  # (n-1, B)
        scores = lm.decode(lm(emb(x)))  # (n-1, B, V)
        loss = F.cross_entropy(scores.flatten(0, 1), y.flatten(), ignore_index=0)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_([*emb.parameters(), *lm.parameters()], 1.0)
        optimizer.step()
        batch_losses.append(loss.item())
    print(
        f"époque {epoch + 1}: coût moyen {sum(batch_losses[-len(speech_loader) :]) / len(speech_loader):.3f}"
    )
print(
    f"{len(speech_ds)} phrases de {speech_ds.maxlen} caractères au plus ; coût {batch_losses[0]:.3f} "
    f"(premier batch) -> {sum(batch_losses[-20:]) / len(batch_losses[-20:]):.3f} (20 derniers) "
    f"en {time.perf_counter() - start:.0f} s"
)

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(batch_losses)
ax.set(xlabel="batch", ylabel="entropie croisée (nats)")
fig.tight_layout()
fig.savefig("q4_generation_loss.png", dpi=100)
plt.show()

for prefix in ("", "The ", "We will "):
    print(f"glouton   : {generate_fixed(lm, emb, prefix, 60)!r}")
torch.manual_seed(1)
for prefix in ("", "The ", "America "):
    print(f"échantillon : {generate_fixed(lm, emb, prefix, 60, sample=True)!r}")

# %% tags=["skip-grading"]
print(f"Durée totale : {time.perf_counter() - START:.0f} s")
