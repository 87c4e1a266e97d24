# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # TD 3 — Réseaux récurrents : le RNN d'Elman et la rétropropagation dans le temps
#
# Ce TD se fait en trois temps :
#
# 1. **Exercice 1** (sur papier) : dérouler un RNN d'Elman dans le temps et écrire sa sortie
#    en fonction des entrées.
# 2. **Exercice 2** (PyTorch) : écrire vous-même un RNN « plusieurs-vers-un » qui classe des
#    séquences, sans utiliser `nn.RNN`.
# 3. **Exercice 3** (papier puis PyTorch) : calculer à la main le gradient de l'état caché par
#    rapport à la matrice d'entrée $U$, puis transformer ce calcul en deux fonctions vérifiables :
#    la jacobienne complète (mode direct) et la rétropropagation dans le temps (BPTT, mode inverse).
#
# **Comment ce notebook est corrigé.**
#
# - Les réponses rédigées (cellules « Votre réponse ici ») sont lues et notées par l'équipe
#   enseignante. Écrivez les formules en LaTeX (`$...$`) ; un dessin peut être fait en ASCII.
# - Le code est noté automatiquement : le correcteur exécute les cellules de définitions
#   (imports, fonctions, classes), puis appelle vos fonctions et vos classes sur ses propres données.
#   Gardez donc **exactement** les noms et les signatures donnés, et remplacez chaque
#   `raise NotImplementedError(...)` par votre code.
# - Les cellules marquées `skip-grading` (démonstrations, vérifications, entraînement) ne sont jamais
#   exécutées par le correcteur : elles sont là pour vous aider à tester votre travail.
# - Une cellule de définitions ne doit rien faire de long (pas d'entraînement, pas de chargement de
#   données) : tout cela a sa place dans les cellules `skip-grading`.

# %%
import os
import time

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

# RNNKIT_QUICK=1 : les cellules d'expérience se réduisent à un essai de quelques secondes.
QUICK = os.environ.get("RNNKIT_QUICK", "0") == "1"
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(f"device: {device}, mode rapide: {QUICK}")


# %% [markdown]
# ## Exercice 1 — Le RNN d'Elman déroulé
#
# Le réseau d'Elman (1990) suit les équations
#
# $$h_t = \tanh(U x_t + W h_{t-1}), \qquad y_t = \operatorname{softmax}(V h_t),$$
#
# où $U$, $W$ et $V$ sont des matrices apprises, **les mêmes à chaque pas de temps** ; $h_t$ est
# l'état caché et $y_t$ la sortie au temps $t$. Il n'y a pas de biais dans ce modèle. On traite une
# séquence de trois entrées $x_0, x_1, x_2$ et l'état qui précède la première entrée est nul :
# $h_{-1} = 0$.

# %% [markdown] question="Ex1-Q1" points=2 manual=true
# ### Question 1.1 — Le réseau déroulé (2 points)
#
# Représentez le réseau « déroulé » sur la séquence $x_0, x_1, x_2$ : une copie de la cellule par
# pas de temps, avec les entrées, les états cachés, les sorties, et le nom de la matrice portée par
# chaque flèche. Un dessin en ASCII dans la cellule de réponse suffit (ou une description précise
# en mots).
#
# *Noté par l'équipe enseignante : trois copies de la cellule, les bonnes matrices sur les bonnes
# flèches, le partage des poids entre les pas de temps, l'état initial $h_{-1} = 0$.*

# %% [markdown] tags=["answer"] question="Ex1-Q1"
# BEGIN SOLUTION
# ```
#              y_0            y_1            y_2
#               ^              ^              ^
#               | V            | V            | V
#  h_{-1}=0 --W--> [ h_0 ] --W--> [ h_1 ] --W--> [ h_2 ]
#               ^              ^              ^
#               | U            | U            | U
#              x_0            x_1            x_2
# ```
#
# Chaque boîte $[h_t]$ calcule $\tanh(U x_t + W h_{t-1})$ puis émet $y_t = \operatorname{softmax}(V h_t)$.
# Les trois copies utilisent les **mêmes** matrices $U$, $W$, $V$ : dérouler ne crée pas de nouveaux
# paramètres, seulement un graphe de calcul plus long (un réseau « profond » de trois couches à poids
# partagés). La flèche horizontale la plus à gauche apporte l'état initial nul.
# END SOLUTION

# %% [markdown] question="Ex1-Q2" points=2 manual=true
# ### Question 1.2 — La sortie $y_2$ en fonction des entrées (2 points)
#
# 1. Écrivez $y_2$ en fonction de $x_2$ et de $h_1$.
# 2. Développez ensuite l'expression jusqu'à ne plus faire apparaître que $x_0$, $x_1$, $x_2$ et les
#    matrices $U$, $W$, $V$ (on rappelle que $h_{-1} = 0$).
#
# *Noté par l'équipe enseignante : les deux expressions, avec le bon emboîtement des $\tanh$.*

# %% [markdown] tags=["answer"] question="Ex1-Q2"
# BEGIN SOLUTION
# 1. $y_2 = \operatorname{softmax}(V h_2) = \operatorname{softmax}\big(V \tanh(U x_2 + W h_1)\big)$.
# 2. Comme $h_{-1} = 0$, on a $h_0 = \tanh(U x_0)$, puis $h_1 = \tanh\big(U x_1 + W \tanh(U x_0)\big)$, d'où
#
# $$y_2 = \operatorname{softmax}\Big(V \tanh\big(U x_2 + W \tanh\big(U x_1 + W \tanh(U x_0)\big)\big)\Big).$$
#
# L'entrée la plus ancienne, $x_0$, traverse trois $\tanh$ et deux multiplications par $W$ avant
# d'atteindre la sortie : c'est ce qui rend son influence (et son gradient) facile à atténuer.
# END SOLUTION

# %% [markdown]
# ## Exercice 2 — Un RNN écrit « à la main » en PyTorch
#
# PyTorch fournit `nn.RNN`, un RNN d'Elman multicouche tout prêt. Ici, le but est de l'écrire
# vous-même. Le problème visé est la **classification de séquences** : par exemple, reconnaître la
# langue (parmi $n$ langues) d'une suite de $T$ caractères. Le modèle lit toute la séquence, et seul
# son dernier état caché sert à décider (architecture « plusieurs-vers-un ») :
#
# $$h_t = \operatorname{ReLU}(U x_t + W h_{t-1} + b_h) \quad (t = 1, \dots, T), \qquad h_0 = 0,$$
# $$y = \operatorname{softmax}(V h_T + b_y).$$
#
# $U$, $W$, $V$, $b_h$, $b_y$ sont les paramètres appris. Attention, deux différences avec
# l'exercice 1 : la non-linéarité est un **ReLU** (et non $\tanh$), et il n'y a **qu'une sortie**,
# calculée à partir du dernier état $h_T$.
#
# Notations des formes : `T` longueur de la séquence, `B` taille du batch, `d` dimension d'une
# entrée $x_t$, `H` dimension de l'état caché (`latent`), `C` nombre de classes (`n_classes`).

# %% [markdown] question="Ex2-Q1" points=7
# ### Question 2.1 — La classe `myRNN` (7 points)
#
# Complétez la classe `myRNN` ci-dessous.
#
# - `myRNN(dim, latent, n_classes)` crée les paramètres $U$ (`H×d`), $W$ (`H×H`), $b_h$ (`H`),
#   $V$ (`C×H`) et $b_y$ (`C`). Vous êtes libres de leur forme concrète : des couches `nn.Linear`
#   (avec une couche pour $U$ et une pour $W$, une seule des deux a besoin d'un biais), des
#   `nn.Parameter`, ou une seule couche appliquée à la concaténation $[x_t, h_{t-1}]$.
# - `forward(x)` reçoit `x` de forme `(T, B, d)` (**le temps d'abord**, comme dans le cours) et
#   renvoie un tenseur `(B, C)` : pour chaque séquence du batch, la distribution de probabilité
#   $y$ sur les classes (chaque ligne est positive et somme à 1).
# - L'état caché avant la première entrée est nul, de forme `(B, H)`, créé sur le même `device` et
#   avec le même `dtype` que `x` (le modèle doit fonctionner sur GPU comme sur CPU).
# - Une boucle Python sur le temps est attendue ; ne bouclez pas sur le batch. N'utilisez ni
#   `nn.RNN` ni `nn.RNNCell` : c'est précisément ce qu'on vous demande d'écrire.
#
# *Noté automatiquement : la forme de la sortie (y compris pour `T = 1` ou `B = 1`), le fait que ce
# soient des probabilités, le respect des équations (ReLU, état initial nul, dernier état seulement,
# sortie qui dépend de l'ordre des entrées), la circulation du gradient vers tous les paramètres, et
# un court apprentissage sur une tâche jouet.*


# %%
class myRNN(nn.Module):
    """RNN d'Elman « plusieurs-vers-un » avec ReLU : lit x (T, B, d), renvoie les probabilités des classes (B, C)."""

    def __init__(self, dim, latent, n_classes):
        super().__init__()
        self.dim, self.latent, self.n_classes = dim, latent, n_classes
        # BEGIN SOLUTION
        self.U = nn.Linear(dim, latent)  # its bias is b_h
        self.W = nn.Linear(latent, latent, bias=False)
        self.V = nn.Linear(latent, n_classes)  # its bias is b_y
        # END SOLUTION

    def forward(self, x):
        """x : (T, B, d) -> y : (B, C) = softmax(V h_T + b_y), avec h_0 = 0."""
        # BEGIN SOLUTION
        h = x.new_zeros(x.shape[1], self.latent)
        for x_t in x:
            h = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h), dim=-1)
        # END SOLUTION


# %% [markdown] question="Ex2-Q2" points=1 manual=true
# ### Question 2.2 — Tester le modèle (1 point)
#
# Complétez la cellule suivante : créez un modèle pour des entrées de dimension `d = 7` et
# `nb_class = 3` classes (la taille de l'état caché est libre), un batch aléatoire de `B = 5`
# séquences de longueur `T = 13` (pensez à l'ordre des dimensions attendu par `forward`), puis
# calculez la sortie `out`. **Quelle est la taille de `out` et que représente-t-elle ?** Répondez
# dans la cellule de réponse.
#
# *Noté par l'équipe enseignante : la taille et son interprétation. Le code de la cellule n'est pas
# exécuté par le correcteur.*

# %% tags=["skip-grading"] question="Ex2-Q2"
B, T, d, nb_class = 5, 13, 7, 3
torch.manual_seed(0)
# BEGIN SOLUTION
model = myRNN(d, 16, nb_class)
inputs = torch.randn(T, B, d)
out = model(inputs)
# END SOLUTION
print(out.size())


# %% [markdown] tags=["answer"] question="Ex2-Q2"
# BEGIN SOLUTION
# `out.size()` vaut `torch.Size([5, 3])`, c'est-à-dire `(B, nb_class)` : une ligne par séquence du
# batch, et dans chaque ligne la probabilité de chacune des 3 classes (les valeurs sont positives et
# somment à 1). La longueur $T = 13$ et la dimension $d = 7$ ont disparu : le modèle résume toute la
# séquence dans son dernier état $h_T$ avant de décider.
# END SOLUTION

# %% [markdown]
# **Remarque : séquences de longueurs différentes.** Ici toutes les séquences ont la même longueur,
# alors qu'un intérêt majeur des RNN est de pouvoir traiter des longueurs variables. Avec un batch,
# on complète (« padde ») les séquences courtes jusqu'à la longueur maximale ; pour que le réseau
# ne calcule rien sur ce remplissage, PyTorch propose `torch.nn.utils.rnn.pack_padded_sequence`,
# qui prend le tenseur paddé et la liste des vraies longueurs et produit une `PackedSequence`
# que `nn.RNN`, `nn.LSTM` et `nn.GRU` acceptent directement. Avec notre `myRNN`, il faudrait
# plutôt, pour chaque séquence, garder l'état obtenu à son dernier vrai pas de temps.
#
# ### Pour aller plus loin (non noté) : entraîner `myRNN`
#
# On fabrique trois « langues » jouets : chacune est une chaîne de Markov sur un alphabet de
# `d = 7` symboles, avec sa propre matrice de transition. Une séquence de `T = 13` symboles (codés
# en one-hot) est tirée de l'une des trois langues, et le modèle doit dire laquelle. Le hasard
# donne 33 % de bonnes réponses ; comme on connaît les vraies chaînes, on peut aussi calculer la
# meilleure précision atteignable (le classifieur de Bayes, qui compare les vraisemblances exactes).
#
# Comme `forward` renvoie des probabilités, la perte est la log-vraisemblance négative, calculée
# par `F.nll_loss` à partir de $\log y$. En pratique, on préfère renvoyer les scores avant softmax et utiliser
# `F.cross_entropy`, numériquement plus stable ; on garde ici la forme demandée par l'énoncé.
# Quelques époques suffisent ; davantage d'époques rapprochent encore la précision de celle du
# classifieur de Bayes.


# %% tags=["skip-grading"]
def markov_languages(n_languages, n_symbols, generator):
    """Matrices de transition aléatoires (n_languages, n_symbols, n_symbols) ; chaque ligne somme à 1."""
    logits = 2.0 * torch.randn(n_languages, n_symbols, n_symbols, generator=generator)
    return torch.softmax(logits, dim=-1)


def sample_sequences(transitions, n, length, generator):
    """n séquences de symboles (length, n) et leurs langues (n,) ; premier symbole uniforme."""
    n_languages, n_symbols, _ = transitions.shape
    labels = torch.randint(n_languages, (n,), generator=generator)
    symbol = torch.randint(n_symbols, (n,), generator=generator)
    symbols = [symbol]
    for _ in range(length - 1):
        symbol = torch.multinomial(transitions[labels, symbol], 1, generator=generator).squeeze(1)
        symbols.append(symbol)
    return torch.stack(symbols), labels


def bayes_predictions(transitions, symbols):
    """Langue la plus vraisemblable pour chaque séquence de symboles (length, n)."""
    log_p = transitions.log()  # (languages, symbols, symbols)
    scores = log_p[:, symbols[:-1], symbols[1:]].sum(dim=1)  # (languages, n)
    return scores.argmax(dim=0)


torch.manual_seed(0)
gen = torch.Generator().manual_seed(0)
# Matrices minuscules : sur CPU, plusieurs threads coûtent plus en synchronisation qu'ils ne font gagner.
torch.set_num_threads(1)
n_languages, n_symbols, length, latent = 3, 7, 13, 32
n_train, n_test = (300, 300) if QUICK else (20000, 2000)
epochs, batch_size = (1, 64) if QUICK else (6, 64)

transitions = markov_languages(n_languages, n_symbols, gen)
train_symbols, train_labels = sample_sequences(transitions, n_train, length, gen)
test_symbols, test_labels = sample_sequences(transitions, n_test, length, gen)
x_train = F.one_hot(train_symbols, n_symbols).float().to(device)  # (T, N, d)
x_test = F.one_hot(test_symbols, n_symbols).float().to(device)
y_train, y_test = train_labels.to(device), test_labels.to(device)

classifier = myRNN(n_symbols, latent, n_languages).to(device)
optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-2)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


losses, test_accuracies = [], []
start = time.perf_counter()
for epoch in tqdm(range(epochs), desc="époques"):
    order = torch.randperm(n_train, device=device)
    for i in range(0, n_train, batch_size):
        batch = order[i : i + batch_size]
        probabilities = classifier(x_train[:, batch])
        # clamp : si une probabilité s'arrondit à 0, log(0) rendrait la perte infinie
        loss = F.nll_loss(probabilities.clamp_min(1e-12).log(), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    test_accuracies.append(accuracy(classifier, x_test, y_test))
elapsed = time.perf_counter() - start

bayes = (bayes_predictions(transitions, test_symbols) == test_labels).float().mean().item()
print(
    f"perte : {losses[0]:.3f} (premier batch) -> {sum(losses[-20:]) / len(losses[-20:]):.3f} (20 derniers batchs)"
)
print(
    f"précision test de myRNN : {test_accuracies[-1]:.1%} (hasard : {1 / n_languages:.1%}, Bayes : {bayes:.1%})"
)
print(f"entraînement : {epochs} époque(s), {elapsed:.1f} s")

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
ax_loss.plot(losses)
ax_loss.set(xlabel="batch", ylabel="log-vraisemblance négative", title="Perte d'entraînement")
ax_acc.plot(range(1, epochs + 1), test_accuracies, marker="o", label="myRNN")
ax_acc.axhline(bayes, color="gray", linestyle="--", label="Bayes")
ax_acc.axhline(1 / n_languages, color="gray", linestyle=":", label="hasard")
ax_acc.set(xlabel="époque", ylabel="précision (test)", title="Précision", ylim=(0, 1))
ax_acc.legend()
fig.tight_layout()
fig.savefig("td3_myrnn_training.png", dpi=100)
plt.show()


# %% [markdown]
# ## Exercice 3 — Rétropropagation dans le temps (BPTT)
#
# On revient au réseau de l'exercice 1, sur **une seule séquence** (pas de batch) :
#
# $$h_t = \tanh(U x_t + W h_{t-1}), \qquad h_{-1} = 0, \qquad t = 0, \dots, T-1,$$
#
# avec $x_t \in \mathbb{R}^d$, $h_t \in \mathbb{R}^H$, $U$ de forme `(H, d)` et $W$ de forme
# `(H, H)`. La sortie $y_t$ ne joue aucun rôle dans $\partial h_t / \partial U$. Rappel :
# $\tanh' = 1 - \tanh^2$.
#
# Pour écrire ces dérivées sans ambiguïté, on utilise des indices : $\dfrac{\partial h_t[i]}{\partial U[a, b]}$
# est la dérivée de la composante $i$ de $h_t$ par rapport au coefficient $(a, b)$ de $U$ ; on
# note $\delta_{ia}$ le symbole de Kronecker (1 si $i = a$, 0 sinon).

# %% [markdown] question="Ex3-Q1" points=1 manual=true
# ### Question 3.1 — Les premiers gradients à la main (1 point)
#
# À l'aide du graphe de calcul du réseau déroulé (exercice 1), calculez
# $\dfrac{\partial h_0}{\partial U}$, puis $\dfrac{\partial h_1}{\partial U}$. Déduisez-en par
# généralisation $\dfrac{\partial h_2}{\partial U}$, puis la relation qui lie
# $\dfrac{\partial h_t}{\partial U}$ à $\dfrac{\partial h_{t-1}}{\partial U}$ : c'est elle que vous
# programmerez à la question 3.2.
#
# *Noté par l'équipe enseignante.*

# %% [markdown] tags=["answer"] question="Ex3-Q1"
# BEGIN SOLUTION
# Posons $a_t = U x_t + W h_{t-1}$, donc $h_t = \tanh(a_t)$ et $\dfrac{\partial h_t[i]}{\partial a_t[i]} = 1 - h_t[i]^2$.
# Comme $\dfrac{\partial (U x_t)[i]}{\partial U[a,b]} = \delta_{ia}\, x_t[b]$ :
#
# - $t = 0$ : $h_{-1} = 0$, donc $a_0 = U x_0$ et
#   $$\frac{\partial h_0[i]}{\partial U[a,b]} = (1 - h_0[i]^2)\, \delta_{ia}\, x_0[b].$$
# - $t = 1$ : $U$ agit sur $a_1$ par deux chemins, directement via $U x_1$ et à travers $h_0$ via $W h_0$ :
#   $$\frac{\partial h_1[i]}{\partial U[a,b]} = (1 - h_1[i]^2)\Big(\delta_{ia}\, x_1[b] + \sum_k W[i,k] \frac{\partial h_0[k]}{\partial U[a,b]}\Big)
#   = (1 - h_1[i]^2)\Big(\delta_{ia}\, x_1[b] + W[i,a]\,(1 - h_0[a]^2)\, x_0[b]\Big).$$
# - $t = 2$ : de même,
#   $\dfrac{\partial h_2[i]}{\partial U[a,b]} = (1 - h_2[i]^2)\Big(\delta_{ia}\, x_2[b] + \sum_k W[i,k] \dfrac{\partial h_1[k]}{\partial U[a,b]}\Big)$.
#
# En général, avec $\dfrac{\partial h_{-1}}{\partial U} = 0$ :
# $$\frac{\partial h_t}{\partial U} = \operatorname{diag}(1 - h_t^2)\Big(\frac{\partial (U x_t)}{\partial U} + W \frac{\partial h_{t-1}}{\partial U}\Big).$$
#
# En mode inverse, pour une perte scalaire $L$ on remonte le graphe depuis la fin : le gradient
# $\partial L / \partial U$ est la somme, sur tous les pas $t$, des contributions
# $\big(\bar h_t \odot (1 - h_t^2)\big)\, x_t^\top$, où $\bar h_t$ est le gradient total de $L$ par
# rapport à $h_t$ (celui qui arrive directement et celui qui revient de $h_{t+1}$ à travers $W^\top$).
# END SOLUTION

# %% [markdown]
# La fonction suivante est **fournie** : elle calcule tous les états cachés d'une séquence. Vous
# pouvez l'appeler dans vos réponses.


# %%
def elman_states(U, W, x):
    """États cachés du RNN d'Elman : h_t = tanh(U x_t + W h_{t-1}), avec h_{-1} = 0.

    U : (H, d), W : (H, H), x : (T, d) -> h : (T, H).
    """
    h = x.new_zeros(U.shape[0])
    states = []
    for x_t in x:
        h = torch.tanh(U @ x_t + W @ h)
        states.append(h)
    return torch.stack(states)


# %% [markdown] question="Ex3-Q2" points=4
# ### Question 3.2 — La jacobienne $\partial h_t / \partial U$ en mode direct (4 points)
#
# Écrivez `jacobian_h_U(U, W, x)` qui renvoie le tenseur `J` de forme `(T, H, H, d)` défini par
#
# $$J[t, i, a, b] = \frac{\partial h_t[i]}{\partial U[a, b]},$$
#
# en appliquant la relation de récurrence de la question 3.1, du premier pas de temps au dernier
# (mode direct : on propage la dérivée de $h_{t-1}$ vers celle de $h_t$).
#
# - Entrées : `U` `(H, d)`, `W` `(H, H)`, `x` `(T, d)`, tous du même `dtype` (`float32` ou `float64`)
#   et sur le même `device`. Sortie : même `dtype` et même `device`.
# - **Pas de différentiation automatique** dans cette fonction : ni `torch.autograd`, ni
#   `torch.func`, ni `.backward()`. Une réponse qui s'appuie dessus ne rapporte aucun point (le
#   correcteur peut l'appeler avec la différentiation automatique désactivée). Une boucle sur
#   le temps est normale ; `torch.einsum` peut vous aider pour le produit par $W$.
#
# *Noté automatiquement : comparaison avec une jacobienne calculée indépendamment, en `float64`,
# sur des séquences aléatoires de plusieurs longueurs (dont `T = 1`) et avec `H ≠ d`.*


# %%
def jacobian_h_U(U, W, x):
    """J[t, i, a, b] = d h_t[i] / d U[a, b], par la récurrence en mode direct (sans autograd).

    U : (H, d), W : (H, H), x : (T, d) -> J : (T, H, H, d).
    """
    # BEGIN SOLUTION
    h = elman_states(U, W, x)
    eye = torch.eye(U.shape[0], dtype=x.dtype, device=x.device)
    dh = x.new_zeros(U.shape[0], *U.shape)  # d h_{-1} / dU = 0, shape (H, H, d)
    jacobians = []
    for x_t, h_t in zip(x, h):
        direct = eye[:, :, None] * x_t  # d(U x_t)[i] / dU[a, b] = delta_ia x_t[b]
        dh = (1 - h_t**2)[:, None, None] * (direct + torch.einsum("ik,kab->iab", W, dh))
        jacobians.append(dh)
    return torch.stack(jacobians)
    # END SOLUTION


# %% [markdown] question="Ex3-Q3" points=3
# ### Question 3.3 — Le gradient par BPTT, en mode inverse (3 points)
#
# La jacobienne complète coûte cher (`T·H·H·d` nombres). Pour entraîner un réseau, on a seulement
# besoin du gradient d'une perte **scalaire** $L$, et le mode inverse le calcule bien plus
# économiquement. On suppose que $L$ dépend des états cachés et on vous donne `grad_h` de forme
# `(T, H)`, où `grad_h[t]` $= \partial L / \partial h_t$ est la contribution **directe** de $L$ au
# pas $t$ (sans ce qui passe par les états suivants).
#
# Écrivez `bptt_grad_U(U, W, x, grad_h)` qui renvoie $\partial L / \partial U$, de forme `(H, d)`,
# en remontant le temps du dernier pas au premier :
#
# - le gradient total par rapport à $h_t$ est
#   $\bar h_t = \text{grad\_h}[t] + W^\top\big(\bar h_{t+1} \odot (1 - h_{t+1}^2)\big)$, avec rien à
#   ajouter au dernier pas ;
# - chaque pas apporte $\big(\bar h_t \odot (1 - h_t^2)\big)\, x_t^\top$ au gradient par rapport à $U$.
#
# Mêmes règles qu'à la question 3.2 : mêmes `dtype` et `device` en sortie, **aucune
# différentiation automatique**.
#
# *Noté automatiquement : comparaison, en `float64`, avec le gradient de
# $L = \sum_t \langle \text{grad\_h}[t], h_t \rangle$ calculé indépendamment, sur des séquences
# aléatoires de plusieurs longueurs (dont `T = 1`).*


# %%
def bptt_grad_U(U, W, x, grad_h):
    """dL/dU par rétropropagation dans le temps (sans autograd), grad_h[t] = dL/dh_t direct.

    U : (H, d), W : (H, H), x : (T, d), grad_h : (T, H) -> dL/dU : (H, d).
    """
    # BEGIN SOLUTION
    h = elman_states(U, W, x)
    grad_U = torch.zeros_like(U)
    back = x.new_zeros(U.shape[0])  # gradient w.r.t. the pre-activation of step t+1
    for t in reversed(range(x.shape[0])):
        total = grad_h[t] + W.T @ back
        back = total * (1 - h[t] ** 2)
        grad_U = grad_U + torch.outer(back, x[t])
    return grad_U
    # END SOLUTION


# %% [markdown]
# ### Vérification (non notée) : comparaison avec la différentiation automatique
#
# Ici, et seulement ici, on utilise `torch.autograd` pour contrôler vos deux fonctions, en
# `float64` pour que les écarts ne viennent pas des arrondis. Des écarts de l'ordre de $10^{-15}$
# signifient que tout est juste ; un écart de l'ordre de $10^{-1}$ trahit une erreur de formule.

# %% tags=["skip-grading"]
torch.manual_seed(0)
worst_jacobian, worst_bptt = 0.0, 0.0
for T_, H_, d_ in [(1, 3, 2), (2, 4, 3), (3, 5, 4), (6, 3, 7)]:
    U0 = 0.5 * torch.randn(H_, d_, dtype=torch.float64)
    W0 = 0.5 * torch.randn(H_, H_, dtype=torch.float64)
    x0 = torch.randn(T_, d_, dtype=torch.float64)
    g0 = torch.randn(T_, H_, dtype=torch.float64)
    expected_jacobian = torch.autograd.functional.jacobian(lambda u: elman_states(u, W0, x0), U0)
    expected_grad = torch.autograd.functional.jacobian(
        lambda u: (g0 * elman_states(u, W0, x0)).sum(), U0
    )
    jacobian_error = (jacobian_h_U(U0, W0, x0) - expected_jacobian).abs().max().item()
    bptt_error = (bptt_grad_U(U0, W0, x0, g0) - expected_grad).abs().max().item()
    worst_jacobian, worst_bptt = max(worst_jacobian, jacobian_error), max(worst_bptt, bptt_error)
    print(
        f"T={T_} H={H_} d={d_} : écart max jacobienne {jacobian_error:.1e}, BPTT {bptt_error:.1e}"
    )
print(f"pire écart : jacobienne {worst_jacobian:.1e}, BPTT {worst_bptt:.1e}")
