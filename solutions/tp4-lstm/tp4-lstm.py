# %% [markdown]
# # TP 4 — LSTM, GRU et génération de phrases
#
# Ce TP prolonge la partie « génération de séquences » du TP 3, avec deux nouveautés :
#
# 1. les séquences sont des **phrases de longueurs différentes** : il faut un symbole de fin
#    (EOS), du remplissage (PAD) et un coût qui ignore ce remplissage ;
# 2. des **cellules à mémoire** (GRU et LSTM) pour mieux propager l'information, et donc le
#    gradient, sur de longues séquences.
#
# On termine par de meilleures stratégies de génération : recherche en faisceau (*beam search*)
# puis faisceau guidé par l'échantillonnage *nucleus*.
#
# **Les fichiers.** Le code à écrire se trouve à trois endroits : `textloader.py` (Q1),
# `generate.py` (Q3, Q6, Q7) et ce notebook (Q2, Q4, Q5). Les endroits à compléter contiennent
# `raise NotImplementedError(...)`. Ne changez ni les noms ni les signatures : le correcteur
# automatique appelle ces fonctions directement.
#
# **Notations des formes.** `L` longueur de séquence, `B` taille du batch, `D` dimension des
# *embeddings*, `H` dimension de l'état caché (*latent*), `V` taille du vocabulaire (97).
# Comme au TP 3, tout est organisé « séquence d'abord » : un batch de séquences a la forme
# `(L, B, ...)`.
#
# **Ce qui est exécuté par le correcteur.** Les cellules marquées `skip-grading` (chargement des
# données, apprentissages, générations, figures) ne sont jamais lancées par le correcteur ; toutes
# les autres le sont, dans l'ordre : elles ne doivent contenir que des imports, des constantes et
# des définitions. Les questions à réponse rédigée sont corrigées à la main.

# %%
import os
import time

import coursedata
import torch
import torch.nn as nn
import torch.nn.functional as F
from generate import generate, generate_beam, generate_beam_nucleus, p_nucleus
from textloader import (
    EOS_IX,
    PAD_IX,
    VOCAB_SIZE,
    TextDataset,
    code2string,
    pad_collate_fn,
    string2code,
)
from tqdm.auto import tqdm

# RNNKIT_QUICK=1: a smoke run (tiny corpus, a few batches) instead of the real experiments.
QUICK = os.environ.get("RNNKIT_QUICK", "0") == "1"
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# %% [markdown] question="Q1" points=2
# ## Question 1 — Des batchs de phrases : `pad_collate_fn` (2 points)
#
# Dans `textloader.py`, la classe `TextDataset` découpe le texte en phrases (le délimiteur est
# « . ») ; un exemple est une phrase codée par `string2code`, c'est-à-dire un `LongTensor` de
# forme `(n,)` dont la longueur `n` varie d'une phrase à l'autre. Les codes réservés sont
# `PAD_IX = 0` (remplissage) et `EOS_IX = 1` (fin de phrase) ; les caractères vont de 2 à 96.
#
# Un `DataLoader` ne sait pas empiler des tenseurs de tailles différentes : on lui donne une
# fonction de regroupement par l'argument `collate_fn`. Écrivez dans `textloader.py` :
#
# `pad_collate_fn(samples) -> LongTensor (L, B)`
#
# - `samples` : liste de `B` tenseurs `(n_b,)` ;
# - chaque colonne `b` du résultat contient l'exemple `b`, suivi de `EOS_IX`, puis de `PAD_IX`
#   jusqu'en bas ; `L` vaut la longueur du plus long exemple **plus un** (la place de l'EOS) ;
# - le résultat est de type `torch.long` et les tenseurs de `samples` ne doivent pas être
#   modifiés.
#
# Vérifiez votre fonction avec `python textloader.py` : sur le texte `"C'est. Un. Test."`, le
# batch doit avoir la forme `(7, 3)`, un EOS en position `[5, 2]`, uniquement des zéros sous la
# fin de la colonne 1, et redonner le texte une fois PAD et EOS retirés.
#
# *Évalué :* forme, type, position des EOS et du remplissage (dont un batch d'un seul exemple et
# une phrase vide), entrées inchangées.

# %% tags=["skip-grading"]
demo = TextDataset("C'est. Un. Test.")
demo_batch = pad_collate_fn([demo[i] for i in range(len(demo))])
print(demo_batch)
print([code2string(column) for column in demo_batch.t()])


# %% [markdown] question="Q2" points=3
# ## Question 2 — Un coût qui ignore le remplissage : `maskedCrossEntropy` (3 points)
#
# Les positions de remplissage ne doivent pas compter dans le coût. Écrivez
#
# `maskedCrossEntropy(output, target, padcar) -> tenseur scalaire`
#
# - `output` : logits `(L, B, V)` (sorties brutes du décodeur, sans softmax) ;
# - `target` : codes attendus `(L, B)`, de type long ;
# - `padcar` : le code de remplissage ; le masque se calcule sur la **cible** (`target != padcar`).
#
# Le résultat est la **moyenne** de l'entropie croisée sur les seules positions non masquées
# (c'est la convention du kit : une perte en nats par caractère, comparable d'un batch à
# l'autre). Aucune boucle Python : calculez le coût de chaque position d'un seul coup
# (`reduction="none"`), puis masquez. Attention, `F.cross_entropy` attend les classes en
# dimension 1.
#
# *Évalué :* valeur comparée à un calcul position par position, avec différents `padcar` ;
# gradient nul sur les positions masquées.


# %%
def maskedCrossEntropy(output: torch.Tensor, target: torch.Tensor, padcar: int) -> torch.Tensor:
    """Mean cross-entropy over the positions where ``target != padcar``.

    output: (L, B, V) logits; target: (L, B) long codes. Returns a scalar tensor
    (0 when every position is padding).
    """
    # BEGIN SOLUTION
    losses = F.cross_entropy(output.flatten(0, 1), target.flatten(), reduction="none")  # (L*B,)
    mask = (target.flatten() != padcar).to(losses.dtype)
    return (losses * mask).sum() / mask.sum().clamp_min(1)
    # END SOLUTION


# %% [markdown]
# ## Les modèles : le RNN du TP 3 et un protocole d'état commun
#
# Reprenez votre classe `RNN` du TP 3. Pour que **le même code** d'apprentissage et de génération
# serve aux trois modèles (RNN, GRU, LSTM), l'état récurrent est manipulé par trois méthodes :
#
# - `init_state(B)` : l'état initial (des zéros) d'un batch de `B` séquences ;
# - `one_step(x, state)` : un pas de temps, `x` de forme `(B, D)`, renvoie le nouvel état ;
# - `hidden(state)` : le vecteur caché `(B, H)` contenu dans l'état, celui que lit le décodeur.
#
# Pour le RNN et le GRU, l'état *est* le vecteur caché `h` ; pour le LSTM, c'est le couple
# `(h, c)`. `init_state` et `hidden` vous sont donnés. À écrire :
#
# - `one_step(x, h)` : `h' = tanh(W · [h, x] + b)` (une couche linéaire sur la concaténation
#   `[h, x]`) ;
# - `forward(x, h=None)` : `x` de forme `(L, B, D)` ; applique `one_step` pas à pas en partant de
#   `h` (ou de `init_state(B)` si `h` vaut `None`) et renvoie **tous** les vecteurs cachés
#   `(L, B, H)` (ceux renvoyés par `hidden` après chaque pas) ;
# - `decode(h)` : `(..., H) -> (..., V)`, des logits bruts (pas de softmax : `maskedCrossEntropy`
#   s'en charge).
#
# Nommez les couches comme indiqué dans la docstring : cela permet de vérifier vos équations.


# %%
class RNN(nn.Module):
    """Elman RNN: h' = tanh(W [h, x] + b), logits = decoder(h).

    Layers: ``W = nn.Linear(latent + dim, latent)`` on the concatenation ``[h, x]`` and
    ``decoder = nn.Linear(latent, output)``. The state is the tensor h of shape (B, H).
    """

    def __init__(self, dim: int, latent: int, output: int):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        # BEGIN SOLUTION
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)
        # END SOLUTION

    def init_state(self, batch: int):
        """Zero state (B, H) on the device and with the dtype of the parameters."""
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, device=weight.device, dtype=weight.dtype)

    def hidden(self, state) -> torch.Tensor:
        """Hidden vectors (B, H) of a state (for this class, the state itself)."""
        return state

    def one_step(self, x: torch.Tensor, h):
        """One time step: x (B, D), state (B, H) -> next state (B, H)."""
        # BEGIN SOLUTION
        return torch.tanh(self.W(torch.cat([h, x], dim=-1)))
        # END SOLUTION

    def forward(self, x: torch.Tensor, h=None) -> torch.Tensor:
        """x (L, B, D), initial state (default ``init_state(B)``) -> hidden vectors (L, B, H)."""
        # BEGIN SOLUTION
        state = self.init_state(x.shape[1]) if h is None else h
        hiddens = []
        for x_t in x:
            state = self.one_step(x_t, state)
            hiddens.append(self.hidden(state))
        return torch.stack(hiddens)
        # END SOLUTION

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Hidden vectors (..., H) -> logits (..., V) (no softmax)."""
        # BEGIN SOLUTION
        return self.decoder(h)
        # END SOLUTION


# %% [markdown] question="Q3" points=2
# ## Question 3 — Générer jusqu'à la fin de phrase : `generate` (2 points)
#
# Dans `generate.py`, écrivez
#
# `generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False) -> str`
#
# - `emb` transforme des codes `(L, B)` en vecteurs `(L, B, D)` (question 4) et `decoder`
#   transforme des vecteurs cachés `(B, H)` en logits `(B, V)` (par exemple `rnn.decode`) ;
# - partez de `state = rnn.init_state(1)` et lisez les caractères de `start` un à un avec
#   `one_step` ;
# - puis, à chaque pas : logits `decoder(rnn.hidden(state))`, choix du symbole le plus probable
#   (ou tirage selon le softmax si `sample=True`) ; on s'arrête sur `eos` (qui ne fait pas partie
#   du texte) ou après `maxlen` symboles générés, sinon le symbole est donné au réseau ;
# - si `start` est vide, le premier symbole est décodé depuis l'état initial ;
# - le résultat est `start` suivi du texte généré (`code2string`) ; pas de gradient
#   (`torch.no_grad()`).
#
# `generate` n'importe rien du notebook (seulement `textloader`) : c'est le notebook qui importe
# `generate.py`.
#
# *Évalué :* sur de petits modèles construits à la main dont on connaît la bonne réponse : arrêt
# sur EOS, respect de `maxlen` et de `start`, déterminisme du mode glouton.

# %% [markdown] question="Q4" points=1
# ## Question 4 — Des *embeddings* plutôt que du one-hot : `build_model` (1 point)
#
# Au TP 3, chaque caractère était codé en one-hot puis projeté par une couche linéaire.
# `nn.Embedding(V, D)` fait la même chose sans construire les vecteurs one-hot : il associe à
# chaque code une ligne d'une matrice apprise, et transforme des codes `(L, B)` en `(L, B, D)`.
#
# Écrivez `build_model(cell, vocab_size, dim, latent) -> (emb, rnn)` :
#
# - `emb = nn.Embedding(vocab_size, dim, padding_idx=PAD_IX)` (le vecteur du remplissage reste
#   nul et n'est pas appris) ;
# - `rnn` : une instance de `RNN`, `GRU` ou `LSTM` construite avec `(dim, latent, vocab_size)`
#   selon que `cell` vaut `"rnn"`, `"gru"` ou `"lstm"` ; toute autre valeur lève `ValueError`.
#
# Les classes `GRU` et `LSTM` sont définies plus bas : ce n'est pas un problème, leurs noms ne
# sont cherchés qu'à l'appel de la fonction.
#
# *Évalué :* type et dimensions de l'embedding, `padding_idx`, classe et dimensions du modèle.


# %%
def build_model(cell: str, vocab_size: int, dim: int, latent: int) -> tuple[nn.Embedding, "RNN"]:
    """Return ``(emb, rnn)``: an embedding (V, D) with ``padding_idx=PAD_IX`` and a recurrent model.

    cell: "rnn", "gru" or "lstm" (ValueError otherwise); the model is built with
    ``(dim, latent, vocab_size)``.
    """
    # BEGIN SOLUTION
    models = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
    if cell not in models:
        raise ValueError(f"unknown cell {cell!r}: expected one of {', '.join(models)}")
    return nn.Embedding(vocab_size, dim, padding_idx=PAD_IX), models[cell](dim, latent, vocab_size)
    # END SOLUTION


# %% [markdown] question="Q5a" points=3
# ## Question 5a — Le GRU (3 points)
#
# Implémentez le GRU avec **exactement** les équations du cours, où `[a, b]` est la concaténation
# et `⊙` le produit terme à terme :
#
# - `z = σ(W_z · [h, x] + b_z)` (porte de mise à jour) ;
# - `r = σ(W_r · [h, x] + b_r)` (porte de remise à zéro) ;
# - `h' = (1 − z) ⊙ h + z ⊙ tanh(W · [r ⊙ h, x] + b)`.
#
# La porte `r` s'applique à `h` **avant** le produit par `W`. Ce n'est pas la formulation de
# `torch.nn.GRU` (qui applique `r` après le produit et donne à `z` le rôle inverse) : n'utilisez
# pas `nn.GRU` ni `nn.GRUCell`, écrivez une couche linéaire par porte sur `[h, x]`.
#
# La classe hérite de `RNN` : `forward`, `decode`, `init_state` et `hidden` servent tels quels,
# seul `one_step` change. Le constructeur n'appelle pas celui de `RNN` (un GRU n'a pas la couche
# récurrente du RNN) ; il crée ses propres couches, dont le décodeur.
#
# Facultatif, pour TensorBoard : gardez dans `self.gates` (un dictionnaire nom → tenseur
# détaché) les valeurs des portes du dernier pas.
#
# *Évalué :* `one_step` et `forward` comparés à un calcul indépendant des équations ci-dessus.


# %%
class GRU(RNN):
    """GRU cell of the lab (reset gate applied to h before the product).

    Layers on ``[h, x]``: ``W_z``, ``W_r``, ``W`` (each ``nn.Linear(latent + dim, latent)``),
    and ``decoder = nn.Linear(latent, output)``. The state is h (B, H). After each step
    ``self.gates`` holds the detached gates ``{"update": z, "reset": r}`` (B, H).
    """

    def __init__(self, dim: int, latent: int, output: int):
        nn.Module.__init__(self)  # not RNN.__init__: the GRU has its own recurrent layers
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        # BEGIN SOLUTION
        self.W_z = nn.Linear(latent + dim, latent)
        self.W_r = nn.Linear(latent + dim, latent)
        self.W = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)
        # END SOLUTION

    def one_step(self, x: torch.Tensor, h):
        """One time step: x (B, D), state h (B, H) -> next state (B, H)."""
        # BEGIN SOLUTION
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W(torch.cat([r * h, x], dim=-1)))
        self.gates = {"update": z.detach(), "reset": r.detach()}
        return (1 - z) * h + z * candidate
        # END SOLUTION


# %% [markdown] question="Q5b" points=3
# ## Question 5b — Le LSTM (3 points)
#
# Le LSTM a deux vecteurs d'état : `h` (la sortie, lue par le décodeur) et `c` (la mémoire
# interne). Son état est donc le couple `(h, c)` : `init_state(B)` renvoie deux tenseurs nuls
# `(B, H)` et `hidden(state)` renvoie `h` (ces deux méthodes vous sont données). Les équations du
# cours, toutes les portes portant sur la concaténation `[h, x]` :
#
# - `f = σ(W_f · [h, x] + b_f)` (oubli), `i = σ(W_i · [h, x] + b_i)` (entrée),
#   `o = σ(W_o · [h, x] + b_o)` (sortie) ;
# - `c' = f ⊙ c + i ⊙ tanh(W_C · [h, x] + b_C)` ;
# - `h' = o ⊙ tanh(c')`.
#
# Écrivez le constructeur (une couche linéaire par porte, plus le décodeur) et
# `one_step(x, state) -> (h', c')`. `forward` (hérité) fonctionne sans changement grâce au
# protocole d'état. Ce LSTM doit donner les mêmes résultats que `torch.nn.LSTM` une fois les
# poids recopiés. Comme pour le GRU, `self.gates` peut garder les portes du dernier pas.
#
# *Évalué :* comparaison avec `torch.nn.LSTM` (sorties, état final, gradients).


# %%
class LSTM(RNN):
    """LSTM cell of the lab; the state is the pair (h, c), each (B, H).

    Layers on ``[h, x]``: ``W_f``, ``W_i``, ``W_C``, ``W_o`` (each
    ``nn.Linear(latent + dim, latent)``), and ``decoder = nn.Linear(latent, output)``.
    After each step ``self.gates`` holds the detached gates ``{"forget": f, "input": i,
    "output": o}`` (B, H).
    """

    def __init__(self, dim: int, latent: int, output: int):
        nn.Module.__init__(self)  # not RNN.__init__: the LSTM has its own recurrent layers
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        # BEGIN SOLUTION
        self.W_f = nn.Linear(latent + dim, latent)
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)
        # END SOLUTION

    def init_state(self, batch: int):
        """Zero state ``(h, c)``, each (B, H), on the parameters' device and dtype."""
        h = super().init_state(batch)
        return h, torch.zeros_like(h)

    def hidden(self, state) -> torch.Tensor:
        """The h of a state ``(h, c)``: (B, H)."""
        return state[0]

    def one_step(self, x: torch.Tensor, state):
        """One time step: x (B, D), state (h, c) -> next state (h', c'), each (B, H)."""
        # BEGIN SOLUTION
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        self.gates = {"forget": f.detach(), "input": i.detach(), "output": o.detach()}
        return o * torch.tanh(c), c
        # END SOLUTION


# %% [markdown]
# ## Expériences : RNN, GRU et LSTM sur le corpus de discours
#
# Le corpus vient de `coursedata.load_speeches()` : le fichier du cours `trump_full_speech.txt`
# s'il est présent, sinon des discours sur l'état de l'Union (domaine public). La source utilisée
# est affichée. On garde une partie des phrases pour mesurer la perte sur des phrases jamais vues.
#
# Pour chaque batch `(L, B)` produit par `pad_collate_fn`, l'entrée est `batch[:-1]` et la cible
# `batch[1:]` : le modèle apprend à prédire chaque caractère, puis l'EOS, à partir des précédents.
#
# Les tailles sont choisies pour que tout le notebook tourne en quelques minutes sur un processeur
# à deux cœurs : les modèles sont donc loin d'être entraînés à fond. Avec plus de phrases, plus
# d'époques et un état caché plus grand (sur GPU de préférence), les phrases générées deviennent
# nettement plus lisibles.

# %% tags=["skip-grading"]
torch.manual_seed(0)
corpus = coursedata.load_speeches(sample=QUICK, quiet=True)
print(corpus.describe())
if device.type == "cpu":
    # Small matrices: one thread avoids synchronisation costs, which dominate on a busy CPU.
    torch.set_num_threads(1)
MAXLEN = 100  # characters per sentence (longer ones are cut)
MAXSENT = 200 if QUICK else None  # training sentences (None: all)
BATCH_SIZE = 64
dataset = TextDataset(corpus.text, maxlen=MAXLEN)
# A fixed shuffle, then train / held-out sentences.
order = torch.randperm(len(dataset)).tolist()
n_valid = max(1, min(1000, len(order) // 10))
train_ids, valid_ids = order[n_valid:][:MAXSENT], order[:n_valid]
train_set = torch.utils.data.Subset(dataset, train_ids)
valid_set = torch.utils.data.Subset(dataset, valid_ids)
train_loader = torch.utils.data.DataLoader(
    train_set, batch_size=BATCH_SIZE, shuffle=True, collate_fn=pad_collate_fn
)
valid_loader = torch.utils.data.DataLoader(valid_set, batch_size=256, collate_fn=pad_collate_fn)
print(f"{len(dataset)} sentences; {len(train_set)} for training, {len(valid_set)} held out")

# %% [markdown]
# La boucle d'apprentissage est commune aux trois modèles. Elle utilise Adam, coupe la norme du
# gradient (`clip_grad_norm_`, qui renvoie la norme *avant* la coupe) et écrit dans TensorBoard,
# sous `runs/tp4-lstm/<modèle>-<date>` : la perte et la norme du gradient à chaque pas, et, tous les
# 50 pas, les histogrammes des gradients de chaque paramètre et des portes du GRU/LSTM
# (`add_histogram`, portes lues au 20e caractère). Pour les regarder : `tensorboard --logdir runs`.

# %% tags=["skip-grading"]
from torch.utils.tensorboard import SummaryWriter

EMB_DIM, LATENT = 64, 128
EPOCHS = 1 if QUICK else 2
MAX_BATCHES = 5 if QUICK else None  # QUICK: a few batches per epoch
CLIP = 1.0


def evaluate(emb, rnn, loader):
    """Masked cross-entropy (nats per character, EOS included) over all tokens of ``loader``."""
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            batch = batch.to(device)
            target = batch[1:]
            n = (target != PAD_IX).sum().item()
            total += maskedCrossEntropy(rnn.decode(rnn(emb(batch[:-1]))), target, PAD_IX).item() * n
            count += n
    return total / count


def train(cell):
    """Train a fresh model of kind ``cell``; return (emb, rnn, losses per step, seconds per epoch)."""
    torch.manual_seed(0)
    emb, rnn = build_model(cell, VOCAB_SIZE, EMB_DIM, LATENT)
    emb, rnn = emb.to(device), rnn.to(device)
    params = list(emb.parameters()) + list(rnn.parameters())
    optimizer = torch.optim.Adam(params, lr=3e-3)
    writer = SummaryWriter(
        f"runs/tp4-lstm/{cell}-{time.strftime('%Y%m%d-%H%M%S')}"
    )  # one folder per run
    losses, step, start = [], 0, time.perf_counter()
    for epoch in range(EPOCHS):
        batches = tqdm(
            train_loader,
            desc=f"{cell} {epoch + 1}/{EPOCHS}",
            total=MAX_BATCHES or len(train_loader),
        )
        for i, batch in enumerate(batches):
            if MAX_BATCHES is not None and i >= MAX_BATCHES:
                break
            batch = batch.to(device)
            loss = maskedCrossEntropy(rnn.decode(rnn(emb(batch[:-1]))), batch[1:], PAD_IX)
            optimizer.zero_grad()
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
            losses.append(loss.item())
            writer.add_scalar("loss/train", loss.item(), step)
            writer.add_scalar("grad_norm", grad_norm.item(), step)
            if step % 50 == 0:
                for name, p in rnn.named_parameters():
                    writer.add_histogram(f"grad/{name}", p.grad, step)
                if hasattr(rnn, "gates"):
                    # The last step of a batch is mostly padding: read the gates after 20
                    # characters instead, where almost every sentence is still going on.
                    with torch.no_grad():
                        rnn(emb(batch[:20]))
                    for name, gate in rnn.gates.items():
                        writer.add_histogram(f"gates/{name}", gate, step)
            step += 1
            batches.set_postfix(loss=f"{loss.item():.3f}")
    seconds = (time.perf_counter() - start) / EPOCHS
    writer.close()
    return emb, rnn, losses, seconds


# %% tags=["skip-grading"]
models, results = {}, {}
for cell in ("rnn", "gru", "lstm"):
    emb, rnn, losses, seconds = train(cell)
    models[cell] = (emb, rnn)
    tail = losses[-20:]
    results[cell] = {
        "train": sum(tail) / len(tail),
        "valid": evaluate(emb, rnn, valid_loader),
        "s/epoch": seconds,
        "losses": losses,
    }

print(f"{'model':6} {'train loss':>10} {'held-out loss':>13} {'s/epoch':>8}")
for cell, r in results.items():
    print(f"{cell:6} {r['train']:10.3f} {r['valid']:13.3f} {r['s/epoch']:8.1f}")

# %% tags=["skip-grading"]
import matplotlib.pyplot as plt


def smooth(values, window=20):
    """Moving average, to make the step-by-step loss readable."""
    window = max(1, min(window, len(values)))
    return [
        sum(values[max(0, i - window + 1) : i + 1]) / len(values[max(0, i - window + 1) : i + 1])
        for i in range(len(values))
    ]


fig, ax = plt.subplots(figsize=(7, 4))
for cell, r in results.items():
    ax.plot(smooth(r["losses"]), label=cell.upper())
ax.set_xlabel("pas d'optimisation")
ax.set_ylabel("entropie croisée masquée (nats / caractère)")
ax.set_title("Apprentissage sur le corpus de discours")
ax.legend()
fig.tight_layout()
fig.savefig("tp4-lstm-losses.png", dpi=100)
plt.show()

# %% [markdown]
# ### Générations gloutonne et aléatoire
#
# Chaque modèle continue le même début de phrase, d'abord en prenant toujours le caractère le plus
# probable, puis en tirant chaque caractère selon la distribution prédite.

# %% tags=["skip-grading"]
START = "The "
GEN_MAXLEN = 60 if QUICK else 200
for cell, (emb, rnn) in models.items():
    rnn.eval()
    torch.manual_seed(0)
    print(f"--- {cell.upper()}")
    print("greedy :", generate(rnn, emb, rnn.decode, EOS_IX, START, GEN_MAXLEN))
    for _ in range(2):
        print("sampled:", generate(rnn, emb, rnn.decode, EOS_IX, START, GEN_MAXLEN, sample=True))

# %% [markdown] question="Q5c" points=1 manual=true
# ## Question 5c — Comparer RNN, GRU et LSTM, réponse rédigée (1 point)
#
# Comparez les trois modèles entraînés avec le même budget : perte d'apprentissage et perte sur
# les phrases mises de côté, temps de calcul, et qualité des phrases générées. Regardez aussi dans
# TensorBoard la norme des gradients et les histogrammes des portes : que remarquez-vous ?
# Quelques phrases suffisent.

# %% [markdown] tags=["answer"] question="Q5c"
# BEGIN SOLUTION
# Avec le même budget (2 époques sur 13 061 phrases, D = 64, H = 128, Adam à 3e-3), le GRU
# atteint la perte la plus basse : 1,54 nat par caractère, en apprentissage comme sur les 1 000
# phrases mises de côté, contre 1,67 pour le RNN et 1,78 pour le LSTM. Les deux pertes restent
# égales à 0,01 près : aucun modèle ne sur-apprend, ils sont simplement loin d'avoir convergé.
# Le temps par époque suit le nombre de couches calculées à chaque pas : environ 12 s pour le
# RNN contre 35 à 50 s pour le GRU et le LSTM (le plus lent) sur 2 cœurs.
#
# Le LSTM démarre plus lentement : au départ toutes ses portes valent environ 0,5, si bien que
# la mémoire c perd la moitié de sa valeur à chaque pas tant que la porte d'oubli n'a pas appris
# à s'ouvrir. Avec ce petit budget il reste derrière ; pour comparer les architectures à
# convergence, il faudrait plus d'époques (ou un biais de la porte d'oubli initialisé à 1).
#
# Qualitativement, les trois modèles écrivent des mots anglais ou presque, avec majuscules et
# point final, mais sans phrase sensée, et en glouton chacun tourne en boucle (« the more the
# more… »). Dans TensorBoard, la norme du gradient reste sous 1 presque tout le temps (la perte
# est une moyenne par caractère, le clipping à 1 sert donc peu ici), et les histogrammes des
# portes, serrés autour de 0,5 au début, s'étalent vers 0 et 1 : selon les unités, les portes
# apprennent à garder l'état ou à l'effacer.
# END SOLUTION

# %% [markdown] question="Q6" points=2
# ## Question 6 — Recherche en faisceau : `generate_beam` (2 points)
#
# Choisir le caractère le plus probable à chaque pas ne donne pas la phrase la plus probable : c'est
# une approximation gloutonne. La recherche en faisceau garde à chaque instant les `K` meilleures
# séquences et leur log-probabilité (la somme des log-softmax de leurs symboles). Écrivez dans
# `generate.py` :
#
# `generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200) -> str`
#
# - à chaque pas, chaque hypothèse non terminée propose ses `k` symboles les plus probables ;
#   parmi toutes ces propositions, on garde les `k` meilleures séquences ;
# - une hypothèse qui vient d'émettre `eos` est terminée : elle reste en compétition avec son score
#   mais n'est plus prolongée ;
# - on s'arrête quand les `k` hypothèses sont terminées ou après `maxlen` pas, et on renvoie
#   `start` suivi du texte de la meilleure (sans EOS) ; pas de normalisation par la longueur ;
# - calculez un pas pour **toutes** les hypothèses du faisceau d'un coup (un seul appel à
#   `one_step` sur un batch de `k` états) ;
# - avec `k = 1`, on doit retrouver la génération gloutonne.
#
# `generate.py` propose une fonction auxiliaire `beam_search(..., candidates)` qui sépare le
# faisceau (commun aux questions 6 et 7) de la façon de proposer des symboles ; l'utiliser n'est pas
# obligatoire, seules `generate_beam` et `generate_beam_nucleus` sont évaluées.
#
# *Évalué :* `k = 1` contre la génération gloutonne, et sur un petit modèle où l'approche
# gloutonne échoue, comparaison avec une recherche exhaustive.

# %% [markdown] question="Q7" points=2
# ## Question 7 — Faisceau et échantillonnage *nucleus* (2 points)
#
# Le *nucleus* d'une distribution `p` est le plus petit ensemble `I_α` de symboles parmi les plus
# probables dont la masse totale atteint `α` (le symbole qui fait franchir le seuil en fait
# partie). La distribution *nucleus* vaut `p(y) / Σ_{y' ∈ I_α} p(y')` pour `y ∈ I_α` et 0
# ailleurs. Écrivez dans `generate.py` :
#
# - `p_nucleus(decoder, alpha)` qui renvoie une fonction `compute(h)` : vecteurs cachés `(B, H)`
#   → probabilités *nucleus* `(B, V)`, ligne par ligne. Avec `alpha = 1` on retrouve le softmax ;
#   si le symbole le plus probable a déjà une probabilité `≥ alpha`, on obtient un vecteur one-hot ;
# - `generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200)` : le faisceau
#   de la question 6, mais chaque hypothèse propose `k` symboles **tirés sans remise** selon la
#   distribution *nucleus* (moins si le nucleus est plus petit), notés par le log de leur
#   probabilité *nucleus*. Les tirages utilisent le générateur global de torch.
#
# *Évalué :* support et valeurs de `p_nucleus` (seuil franchi inclus, renormalisation, cas
# limites, indépendance des lignes) ; avec une graine fixée, chaque symbole émis par
# `generate_beam_nucleus` appartient au nucleus de son pas.

# %% tags=["skip-grading"]
for cell, (emb, rnn) in models.items():
    torch.manual_seed(0)
    print(f"--- {cell.upper()}")
    print("beam k=5          :", generate_beam(rnn, emb, rnn.decode, EOS_IX, 5, START, GEN_MAXLEN))
    print(
        "nucleus beam α=0.9:",
        generate_beam_nucleus(rnn, emb, rnn.decode, EOS_IX, 5, 0.9, START, GEN_MAXLEN),
    )

# %% [markdown] question="Q7b" points=1 manual=true
# ## Question 7b — Ce que changent le faisceau et le nucleus, réponse rédigée (1 point)
#
# Comparez les phrases obtenues par les quatre stratégies (glouton, tirage, faisceau, faisceau
# *nucleus*). Qu'apporte le faisceau par rapport au glouton ? Pourquoi le faisceau préfère-t-il
# les phrases courtes, et que change le nucleus ?

# %% [markdown] tags=["answer"] question="Q7b"
# BEGIN SOLUTION
# Le glouton fige un choix à chaque caractère et retombe vite dans une boucle très probable («
# the strong the strong… »). Le tirage donne des phrases variées qui finissent par un point,
# mais pleines de mots inventés : un seul caractère tiré dans la queue de la distribution suffit
# à abîmer un mot.
#
# Le faisceau (k = 5) cherche une séquence de forte probabilité globale, et corrige ainsi des
# choix gloutons : le GRU produit une phrase complète et correcte en surface (« The working that
# the strong that will be our country. »). Mais chaque caractère ajoute une log-probabilité
# négative et le score n'est pas normalisé par la longueur : dès que l'EOS est accessible, une
# phrase courte l'emporte sur une longue. À l'inverse, quand le modèle a une boucle très
# probable (ici le RNN et le LSTM), le faisceau la suit jusqu'à maxlen.
#
# Le nucleus (α = 0,9) retire la queue de la distribution : on ne tire que parmi les caractères
# plausibles, ce qui garde la variété du tirage sans ses fautes les plus grossières. Dans le
# faisceau, ce tirage introduit de l'aléa qui casse parfois les boucles (la sortie change avec
# la graine), sans les supprimer : le RNN et le LSTM répètent encore « that » ou « the make and
# ».
# END SOLUTION
