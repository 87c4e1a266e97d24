# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # TP 5 — Attention : des RNN aux Transformers
#
# Un encodeur–décodeur récurrent classique résume toute la phrase d'entrée dans **un seul**
# vecteur, que le décodeur doit ensuite « déplier ». Ce TP construit, pièce par pièce, le
# mécanisme qui lève cette contrainte — l'attention — puis l'utilise dans un petit traducteur :
#
# 1. les trois fonctions de score du cours (produit scalaire, bilinéaire, additive) et les poids
#    d'attention, avec un masque pour le remplissage ;
# 2. l'attention « produit scalaire normalisé » des Transformers ;
# 3. l'attention multi-têtes, écrite à la main ;
# 4. un encodeur GRU bidirectionnel ;
# 5. un encodeur–décodeur avec l'attention de Bahdanau, entraîné sur une tâche synthétique
#    (renverser une suite de chiffres), dont on regarde les poids d'attention ;
# 6. l'échantillonnage avec température ;
# 7. trois questions rédigées.
#
# **Conventions.** Comme dans le cours, tout est « séquence d'abord » : un batch de séquences de
# vecteurs a la forme `(L, B, E)` (`L` longueur, `B` taille du batch, `E` dimension). Les masques
# sont des tenseurs booléens qui valent `True` là où l'on a le droit de regarder (une vraie
# position) et `False` sur ce qu'il faut ignorer (le remplissage).
#
# **Comment ce notebook est corrigé.** Le correcteur exécute les cellules de définitions
# (imports, constantes, fonctions, classes), puis appelle vos fonctions et vos classes sur ses
# propres données et compare les résultats à ses propres calculs. Gardez les noms et les
# signatures donnés et remplacez chaque `raise NotImplementedError(...)` par votre code. Les
# cellules marquées `skip-grading` (vérifications, entraînement, figures) ne sont jamais exécutées
# par le correcteur. Les questions rédigées sont lues par l'équipe enseignante.

# %%
import math
import os
import time

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

# RNNKIT_QUICK=1 : les cellules d'expérience se réduisent à un essai de quelques secondes.
QUICK = os.environ.get("RNNKIT_QUICK", "0") == "1"
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(f"device: {device}, mode rapide: {QUICK}")

# %% [markdown]
# ## Partie 1 — Scores et poids d'attention
#
# Au pas $t$ du décodage, le décodeur dispose de son état précédent $s_{t-1}$ et des états de
# l'encodeur $h_1, \dots, h_n$ (un par position de la phrase source). L'attention attribue un
# score à chaque position, $e_{t,i} = \operatorname{score}(s_{t-1}, h_i)$, transforme ces scores
# en poids positifs de somme 1 par un softmax **sur les positions de la source**,
# $\alpha_{t,i} = \exp(e_{t,i}) / \sum_j \exp(e_{t,j})$, puis forme le contexte
# $c_t = \sum_i \alpha_{t,i} h_i$. Le cours propose trois fonctions de score :
#
# | nom | formule | paramètres |
# |---|---|---|
# | produit scalaire | $s^\top h$ | aucun (il faut $\dim s = \dim h$) |
# | bilinéaire (*general*) | $s^\top W_a h$ | $W_a$ de forme `(Hs, Hh)` |
# | additive (Bahdanau) | $v_a^\top \tanh(W_1 s + W_2 h)$ | $W_1$ `(A, Hs)`, $W_2$ `(A, Hh)`, $v_a$ `(A,)` |
#
# Dans un batch, les phrases source n'ont pas toutes la même longueur : les plus courtes sont
# complétées par du remplissage, qui ne doit recevoir **aucun** poids. On le décrit par un masque
# booléen `mask` de forme `(L, B)`, `True` sur les vraies positions.

# %% [markdown] question="Q1" points=3
# ## Question 1 — Les fonctions de score et les poids d'attention (3 points)
#
# Écrivez les quatre fonctions ci-dessous, sans boucle Python (ni sur le batch, ni sur les
# positions).
#
# - `s` : états du décodeur, forme `(B, Hs)` ; `h` : états de l'encodeur, forme `(L, B, Hh)`.
# - Les trois fonctions de score renvoient les scores de forme `(L, B)` : l'élément `[i, b]` est
#   le score de la position `i` pour l'exemple `b` du batch.
# - `attention_weights(scores, mask=None)` renvoie les poids `(L, B)` : softmax sur les
#   positions (la dimension 0). Là où `mask` vaut `False`, le poids doit être **exactement** 0
#   (pas seulement petit) ; `mask=None` signifie qu'aucune position n'est masquée. On suppose
#   qu'au moins une position par exemple est vraie.
#
# *Noté automatiquement : valeurs comparées aux formules du cours sur des entrées aléatoires (en
# `float64`), `Hs ≠ Hh`, gradients par rapport à toutes les entrées, poids nuls sur le
# remplissage et de somme 1.*


# %%
def score_dot(s, h):
    """Score produit scalaire : s (B, H), h (L, B, H) -> (L, B), e[i, b] = <s[b], h[i, b]>."""
    # BEGIN SOLUTION
    return (h * s.unsqueeze(0)).sum(-1)
    # END SOLUTION


def score_general(s, h, W_a):
    """Score bilinéaire : s (B, Hs), h (L, B, Hh), W_a (Hs, Hh) -> (L, B), e[i, b] = s[b]^T W_a h[i, b]."""
    # BEGIN SOLUTION
    return (h * (s @ W_a).unsqueeze(0)).sum(-1)
    # END SOLUTION


def score_additive(s, h, v_a, W_1, W_2):
    """Score additif : s (B, Hs), h (L, B, Hh), v_a (A,), W_1 (A, Hs), W_2 (A, Hh) -> (L, B).

    e[i, b] = v_a^T tanh(W_1 s[b] + W_2 h[i, b]).
    """
    # BEGIN SOLUTION
    return torch.tanh((s @ W_1.T).unsqueeze(0) + h @ W_2.T) @ v_a
    # END SOLUTION


def attention_weights(scores, mask=None):
    """Softmax sur les positions (dimension 0) ; poids exactement nuls là où mask (L, B) vaut False."""
    # BEGIN SOLUTION
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=0)
    # END SOLUTION


# %% tags=["skip-grading"]
# Vérification rapide : un exemple dont les deux dernières positions sont du remplissage.
torch.manual_seed(0)
s_demo, h_demo = torch.randn(2, 4), torch.randn(5, 2, 4)
mask_demo = torch.ones(5, 2, dtype=torch.bool)
mask_demo[3:, 1] = False
w_demo = attention_weights(score_dot(s_demo, h_demo), mask_demo)
print(w_demo)
print("sommes par exemple :", w_demo.sum(0))

# %% [markdown]
# ## Partie 2 — L'attention « produit scalaire normalisé »
#
# Les Transformers généralisent le score produit scalaire à des requêtes $Q$, des clés $K$ et des
# valeurs $V$ :
#
# $$\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V .$$
#
# Chaque requête compare sa ressemblance avec toutes les clés ; le softmax se fait donc **sur les
# clés**, pour chaque requête. La division par $\sqrt{d_k}$ ($d_k$ : dimension des requêtes et
# des clés) garde les scores dans une plage raisonnable quand $d_k$ grandit : sans elle, le softmax
# sature et ses gradients s'éteignent.

# %% [markdown] question="Q2" points=2
# ## Question 2 — `scaled_dot_product_attention` (2 points)
#
# `scaled_dot_product_attention(Q, K, V, mask=None) -> (output, weights)`
#
# - `Q` : `(Lq, B, d_k)`, `K` : `(Lk, B, d_k)`, `V` : `(Lk, B, d_v)` (séquence d'abord) ;
# - `mask` : `None`, ou un tenseur booléen de forme `(B, Lq, Lk)` (ou qui s'y diffuse, comme
#   `(B, 1, Lk)` pour un masque de remplissage, ou `(Lq, Lk)` pour un masque causal) ; `True` =
#   la requête peut regarder cette clé. Un poids masqué vaut exactement 0. On suppose que chaque
#   requête peut regarder au moins une clé ;
# - renvoie `output` de forme `(Lq, B, d_v)` et `weights` de forme `(B, Lq, Lk)` (comme
#   `nn.MultiheadAttention`), chaque ligne `weights[b, q]` sommant à 1.
#
# Pas de boucle Python, et pas de `F.scaled_dot_product_attention` (qui ne renvoie d'ailleurs
# pas les poids) : c'est ce qu'on vous demande d'écrire. Elle vous servira à vérifier votre
# fonction dans la cellule suivante.
#
# *Noté automatiquement : comparaison avec `torch.nn.functional.scaled_dot_product_attention` et
# avec la formule, avec et sans masque, `d_k ≠ d_v`, gradients.*


# %%
def scaled_dot_product_attention(Q, K, V, mask=None):
    """softmax(Q K^T / sqrt(d_k)) V, séquence d'abord.

    Q (Lq, B, d_k), K (Lk, B, d_k), V (Lk, B, d_v), mask booléen diffusable vers (B, Lq, Lk)
    (True = autorisé) -> output (Lq, B, d_v), weights (B, Lq, Lk).
    """
    # BEGIN SOLUTION
    d_k = Q.shape[-1]
    q, k, v = Q.transpose(0, 1), K.transpose(0, 1), V.transpose(0, 1)  # batch d'abord
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (B, Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v).transpose(0, 1), weights
    # END SOLUTION


# %% tags=["skip-grading"]
# Vérification : comparaison avec la fonction de PyTorch (qui travaille « batch d'abord »).
torch.manual_seed(0)
Q_demo, K_demo, V_demo = torch.randn(3, 2, 8), torch.randn(5, 2, 8), torch.randn(5, 2, 6)
causal = torch.ones(3, 5, dtype=torch.bool).tril()
out_demo, weights_demo = scaled_dot_product_attention(Q_demo, K_demo, V_demo, causal)
expected_demo = F.scaled_dot_product_attention(
    Q_demo.transpose(0, 1), K_demo.transpose(0, 1), V_demo.transpose(0, 1), attn_mask=causal
).transpose(0, 1)
print("écart max avec PyTorch :", (out_demo - expected_demo).abs().max().item())
print(weights_demo[0])

# %% [markdown]
# ## Partie 3 — L'attention multi-têtes
#
# Une seule attention moyenne tout dans un seul jeu de poids. L'attention multi-têtes projette
# requêtes, clés et valeurs dans `h` sous-espaces différents (les « têtes ») et fait une
# attention dans chacun :
#
# $$\text{head}_i = \operatorname{Attention}(Q W_i^Q, K W_i^K, V W_i^V), \qquad
# \operatorname{MultiHead}(Q, K, V) = \operatorname{Concat}(\text{head}_1, \dots, \text{head}_h) W^O .$$
#
# En pratique, avec `E = embed_dim` et `h = num_heads`, on calcule les trois projections
# `E → E` d'un coup, puis on découpe les `E` coordonnées en `h` têtes de `E / h` coordonnées.

# %% [markdown] question="Q3" points=3
# ## Question 3 — `MultiHeadAttention` écrite à la main (3 points)
#
# Écrivez la classe `MultiHeadAttention(embed_dim, num_heads)`, qui doit se comporter comme
# `nn.MultiheadAttention(embed_dim, num_heads)` (paramètres par défaut : avec biais, séquence
# d'abord) :
#
# - des projections apprises pour les requêtes, les clés et les valeurs (`E → E` chacune, avec
#   biais) et une projection de sortie `E → E` avec biais ; leur forme concrète est libre (une
#   seule couche `E → 3E`, trois `nn.Linear`, des `nn.Parameter`...) ;
# - `forward(query, key, value, mask=None) -> (output, weights)` : `query` `(Lq, B, E)`, `key` et
#   `value` `(Lk, B, E)` ; `mask` comme à la question 2 (booléen, `True` = autorisé, diffusable
#   vers `(B, Lq, Lk)`) ; `output` `(Lq, B, E)` et `weights` `(B, Lq, Lk)`, **la moyenne des poids
#   des têtes** (ce que renvoie `nn.MultiheadAttention` par défaut) ;
# - `embed_dim` est divisible par `num_heads` ; pas de boucle Python sur les têtes (utilisez
#   `view`/`reshape` et `transpose`) ; vous pouvez réutiliser votre fonction de la question 2.
#
# N'utilisez **ni** `nn.MultiheadAttention` **ni** `F.multi_head_attention_forward` : une classe
# qui s'appuie dessus ne rapporte aucun point.
#
# *Noté automatiquement : après avoir recopié vos paramètres dans un `nn.MultiheadAttention`
# (quelle que soit leur organisation), comparaison des sorties, des poids moyens et des gradients,
# avec et sans masque, avec `Lq ≠ Lk`.*


# %%
class MultiHeadAttention(nn.Module):
    """Attention multi-têtes, séquence d'abord, comme nn.MultiheadAttention(embed_dim, num_heads)."""

    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim doit être divisible par num_heads"
        self.embed_dim, self.num_heads = embed_dim, num_heads
        # BEGIN SOLUTION
        self.in_proj = nn.Linear(embed_dim, 3 * embed_dim)  # [W_q; W_k; W_v] et leurs biais
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        # END SOLUTION

    def forward(self, query, key, value, mask=None):
        """query (Lq, B, E), key/value (Lk, B, E) -> output (Lq, B, E), poids moyens (B, Lq, Lk)."""
        # BEGIN SOLUTION
        E, n_heads = self.embed_dim, self.num_heads
        w_q, w_k, w_v = self.in_proj.weight.chunk(3)
        b_q, b_k, b_v = self.in_proj.bias.chunk(3)
        Lq, B, _ = query.shape
        Lk = key.shape[0]

        def heads(x, w, b):  # (L, B, E) -> (L, B * h, E / h) : l'exemple b, tête i en b * h + i
            return F.linear(x, w, b).reshape(x.shape[0], B * n_heads, E // n_heads)

        if mask is not None:  # (B, Lq, Lk) répété pour chaque tête
            mask = mask.expand(B, Lq, Lk).repeat_interleave(n_heads, dim=0)
        out, weights = scaled_dot_product_attention(
            heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v), mask
        )
        out = self.out_proj(out.reshape(Lq, B, E))
        return out, weights.view(B, n_heads, Lq, Lk).mean(dim=1)
        # END SOLUTION


# %% tags=["skip-grading"]
# Vérification : on recopie les paramètres dans nn.MultiheadAttention et on compare.
torch.manual_seed(0)
mha = MultiHeadAttention(8, 2)
torch_mha = nn.MultiheadAttention(8, 2)
with torch.no_grad():
    torch_mha.in_proj_weight.copy_(mha.in_proj.weight)
    torch_mha.in_proj_bias.copy_(mha.in_proj.bias)
    torch_mha.out_proj.weight.copy_(mha.out_proj.weight)
    torch_mha.out_proj.bias.copy_(mha.out_proj.bias)
q_demo, kv_demo = torch.randn(4, 3, 8), torch.randn(6, 3, 8)
ours, ours_w = mha(q_demo, kv_demo, kv_demo)
theirs, theirs_w = torch_mha(q_demo, kv_demo, kv_demo)
print("écarts max :", (ours - theirs).abs().max().item(), (ours_w - theirs_w).abs().max().item())

# %% [markdown]
# ## Partie 4 — Un encodeur GRU bidirectionnel
#
# Un RNN ne voit que le passé. Un RNN **bidirectionnel** en fait tourner deux, avec des paramètres
# séparés : l'un lit la séquence de gauche à droite ($\overrightarrow{h}_t$), l'autre de droite à
# gauche ($\overleftarrow{h}_t$) ; l'état de la position $t$ est la concaténation
# $h_t = [\overrightarrow{h}_t ; \overleftarrow{h}_t]$, qui résume à la fois ce qui précède et ce
# qui suit. C'est l'encodeur de l'article de Bahdanau.

# %% [markdown] question="Q4" points=3
# ## Question 4 — `BiGRUEncoder` (3 points)
#
# Écrivez `BiGRUEncoder(input_size, hidden_size)` avec **deux cellules `nn.GRUCell`** (une par
# sens ; `nn.GRU` est interdit ici) :
#
# - `forward(x) -> (outputs, h_n)` : `x` `(L, B, D)` ; `outputs` `(L, B, 2H)` avec
#   `outputs[t] = [h_avant_t ; h_arrière_t]` (le sens avant d'abord) ; `h_n` `(2, B, H)`, les
#   états finaux de chaque sens (`h_n[0]` : après la dernière position ; `h_n[1]` : celui du sens
#   arrière, donc après la **première** position) ;
# - les deux états initiaux sont nuls ;
# - on doit retrouver exactement `nn.GRU(D, H, bidirectional=True)` quand on lui donne les poids
#   des deux cellules. Piège classique : les états du sens arrière sont calculés de la fin vers le
#   début ; il faut les remettre dans l'ordre des positions avant de concaténer.
#
# *Noté automatiquement : comparaison avec `nn.GRU(bidirectional=True)` (poids recopiés), sorties,
# états finaux et gradients, sur plusieurs longueurs dont `L = 1`.*


# %%
class BiGRUEncoder(nn.Module):
    """GRU bidirectionnel fait de deux nn.GRUCell : x (L, B, D) -> outputs (L, B, 2H), h_n (2, B, H)."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        # BEGIN SOLUTION
        self.forward_cell = nn.GRUCell(input_size, hidden_size)
        self.backward_cell = nn.GRUCell(input_size, hidden_size)
        # END SOLUTION

    def forward(self, x):
        """x (L, B, D) -> outputs (L, B, 2H) = [avant ; arrière], h_n (2, B, H)."""
        # BEGIN SOLUTION
        h_fw = x.new_zeros(x.shape[1], self.hidden_size)
        h_bw = x.new_zeros(x.shape[1], self.hidden_size)
        forward_states, backward_states = [], []
        for x_t in x:
            h_fw = self.forward_cell(x_t, h_fw)
            forward_states.append(h_fw)
        for x_t in x.flip(0):
            h_bw = self.backward_cell(x_t, h_bw)
            backward_states.append(h_bw)
        backward_states.reverse()  # remis dans l'ordre des positions
        outputs = torch.cat([torch.stack(forward_states), torch.stack(backward_states)], dim=-1)
        return outputs, torch.stack([h_fw, h_bw])
        # END SOLUTION


# %% tags=["skip-grading"]
# Vérification : mêmes poids dans nn.GRU(bidirectional=True).
torch.manual_seed(0)
bigru = BiGRUEncoder(3, 5)
torch_gru = nn.GRU(3, 5, bidirectional=True)
with torch.no_grad():
    for suffix, cell in (("", bigru.forward_cell), ("_reverse", bigru.backward_cell)):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(torch_gru, f"{name}_l0{suffix}").copy_(getattr(cell, name))
x_demo = torch.randn(7, 2, 3)
(ours, ours_h), (theirs, theirs_h) = bigru(x_demo), torch_gru(x_demo)
print("écarts max :", (ours - theirs).abs().max().item(), (ours_h - theirs_h).abs().max().item())

# %% [markdown]
# ## Partie 5 — Un encodeur–décodeur avec l'attention de Bahdanau
#
# **La tâche.** Pour avoir une « traduction » qu'on entraîne en une minute sur un processeur, on
# prend une tâche synthétique : renverser une suite de 3 à 8 chiffres (« 52907 » → « 70925 »).
# Les symboles sont codés ainsi : `PAD = 0` (remplissage), `BOS = 1` (début de la sortie),
# `EOS = 2` (fin de la sortie), puis les chiffres 0 à 9 codés 3 à 12 (`VOCAB = 13`). Un batch
# source `src` est un `LongTensor` `(L, B)` complété par `PAD` ; la cible `tgt` `(T, B)` contient
# la suite renversée, puis `EOS`, puis du `PAD`. Pendant l'entraînement, le décodeur reçoit en
# entrée la cible décalée d'un cran, `tgt_in = [BOS, tgt[0], ..., tgt[T-2]]` (*teacher forcing*).

# %%
PAD, BOS, EOS = 0, 1, 2
VOCAB = 13  # PAD, BOS, EOS et les dix chiffres


def make_reversal_pairs(n, generator, min_len=3, max_len=8):
    """n exemples aléatoires : src (max_len, n) et tgt (max_len + 1, n), complétés par PAD."""
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=generator)
    digits = torch.randint(0, 10, (max_len, n), generator=generator) + 3
    positions = torch.arange(max_len).unsqueeze(1)
    src = torch.where(positions < lengths, digits, torch.full_like(digits, PAD))
    tgt = torch.full((max_len + 1, n), PAD, dtype=torch.long)
    for b in range(n):
        length = int(lengths[b])
        tgt[:length, b] = src[:length, b].flip(0)
        tgt[length, b] = EOS
    return src, tgt


def shift_right(tgt):
    """L'entrée du décodeur : BOS suivi de la cible sans son dernier symbole."""
    return torch.cat([torch.full_like(tgt[:1], BOS), tgt[:-1]])


def to_text(codes):
    """Les chiffres d'une colonne de codes, jusqu'au premier EOS (PAD et BOS ignorés)."""
    text = []
    for code in codes.tolist():
        if code == EOS:
            break
        if code >= 3:
            text.append(str(code - 3))
    return "".join(text)


# %% [markdown]
# **Le modèle.** L'encodeur est votre `BiGRUEncoder`, appliqué aux *embeddings* des symboles
# source : il donne les états $h_i$ de dimension `2H`. Le décodeur est une `nn.GRUCell` d'état
# $s_t$ de dimension `H`. Au pas $t$ du décodage (pour chaque symbole de `tgt_in`) :
#
# 1. scores additifs avec l'état **précédent** : $e_{t,i} = v_a^\top \tanh(W_1 s_{t-1} + W_2 h_i)$,
#    puis poids $\alpha_t$ = `attention_weights(e_t, mask)` avec `mask = (src != PAD)` ;
# 2. contexte $c_t = \sum_i \alpha_{t,i} h_i$, de forme `(B, 2H)` ;
# 3. nouvel état $s_t$ = `GRUCell([embedding(y_{t-1}) ; c_t], s_{t-1})` : le contexte **entre**
#    dans le décodeur ;
# 4. logits $= W_o [s_t ; c_t] + b_o$, de forme `(B, VOCAB)`.
#
# L'état initial est $s_0 = \tanh(W_s [h^{\to}_n ; h^{\leftarrow}_1] + b_s)$, calculé à partir des
# deux états finaux `h_n` de l'encodeur.

# %% [markdown] question="Q5" points=3
# ## Question 5 — `Seq2SeqAttention` (3 points)
#
# Écrivez `Seq2SeqAttention(vocab_size, emb_dim, hidden_size)` :
#
# - `forward(src, tgt_in) -> (logits, weights)` : `src` `(L, B)` et `tgt_in` `(T, B)` sont des
#   `LongTensor` ; `logits` `(T, B, vocab_size)` (avant softmax) ; `weights` `(T, L, B)`, les
#   poids d'attention de chaque pas du décodeur (chaque `weights[t, :, b]` somme à 1 et vaut 0 sur
#   le remplissage de la source) ;
# - suivez les quatre étapes ci-dessus, en utilisant vos fonctions `score_additive` et
#   `attention_weights` et votre `BiGRUEncoder` ; le masque se calcule dans `forward` à partir de
#   `src` (`src != PAD`).
#
# L'entraînement et le décodage glouton sont fournis plus bas (cellules non corrigées).
#
# *Noté automatiquement : formes, poids d'attention (somme 1, zéro sur le remplissage, calculés
# avec l'état précédent du décodeur), et un court apprentissage dans le correcteur (quelques
# secondes sur un processeur) qui doit atteindre, sur des exemples jamais vus, une proportion de
# suites entièrement correctes qu'un décodeur sans attention n'atteint pas avec le même budget.*


# %%
class Seq2SeqAttention(nn.Module):
    """Encodeur GRU bidirectionnel + décodeur GRU avec attention additive (Bahdanau)."""

    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.vocab_size, self.emb_dim, self.hidden_size = vocab_size, emb_dim, hidden_size
        # BEGIN SOLUTION
        H = hidden_size
        self.src_embedding = nn.Embedding(vocab_size, emb_dim)
        self.tgt_embedding = nn.Embedding(vocab_size, emb_dim)
        self.encoder = BiGRUEncoder(emb_dim, H)
        self.init_state = nn.Linear(2 * H, H)
        self.W_1 = nn.Parameter(torch.randn(H, H) / math.sqrt(H))
        self.W_2 = nn.Parameter(torch.randn(H, 2 * H) / math.sqrt(2 * H))
        self.v_a = nn.Parameter(torch.randn(H) / math.sqrt(H))
        self.decoder_cell = nn.GRUCell(emb_dim + 2 * H, H)
        self.output = nn.Linear(3 * H, vocab_size)
        # END SOLUTION

    def forward(self, src, tgt_in):
        """src (L, B), tgt_in (T, B) -> logits (T, B, vocab_size), weights (T, L, B)."""
        # BEGIN SOLUTION
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))  # (L, B, 2H), (2, B, H)
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        all_logits, all_weights = [], []
        for y_prev in self.tgt_embedding(tgt_in):
            scores = score_additive(s, annotations, self.v_a, self.W_1, self.W_2)
            alpha = attention_weights(scores, mask)  # (L, B), avec s_{t-1}
            context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)  # (B, 2H)
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
            all_weights.append(alpha)
        return torch.stack(all_logits), torch.stack(all_weights)
        # END SOLUTION


# %%
def greedy_decode(model, src, max_len):
    """Décodage glouton : (max_len, B) codes prédits, en redonnant au modèle ses propres sorties."""
    tgt_in = torch.full((1, src.shape[1]), BOS, dtype=torch.long, device=src.device)
    with torch.no_grad():
        for _ in range(max_len):
            logits, _ = model(src, tgt_in)
            tgt_in = torch.cat([tgt_in, logits[-1].argmax(-1, keepdim=True).T])
    return tgt_in[1:]


def exact_match(predicted, tgt):
    """Proportion des exemples dont la sortie jusqu'à EOS (inclus) est exactement la cible."""
    hits = 0
    for b in range(tgt.shape[1]):
        target = tgt[:, b].tolist()
        n = target.index(EOS) + 1
        hits += predicted[:n, b].tolist() == target[:n]
    return hits / tgt.shape[1]


# %% tags=["skip-grading"]
# Entraînement (fourni). Une minute environ sur 2 cœurs ; quelques secondes en mode rapide.
torch.set_num_threads(1)  # petits tenseurs : un seul thread est le plus rapide
torch.manual_seed(0)
gen = torch.Generator().manual_seed(0)
STEPS = 40 if QUICK else 600
BATCH, EMB, HIDDEN = 64, 16, 32
src_test, tgt_test = make_reversal_pairs(500, gen)


def train(model, steps, generator):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        src, tgt = make_reversal_pairs(BATCH, generator)
        logits, _ = model(src.to(device), shift_right(tgt).to(device))
        loss = F.cross_entropy(logits.flatten(0, 1), tgt.to(device).flatten(), ignore_index=PAD)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


translator = Seq2SeqAttention(VOCAB, EMB, HIDDEN).to(device)
start = time.perf_counter()
losses = train(translator, STEPS, gen)
elapsed = time.perf_counter() - start
predicted = greedy_decode(translator, src_test.to(device), tgt_test.shape[0]).cpu()
accuracy = exact_match(predicted, tgt_test)
print(f"{STEPS} pas en {elapsed:.1f} s, perte finale {losses[-1]:.4f}")
print(f"suites exactement renversées (test) : {accuracy:.1%}")
for b in range(3):
    print(to_text(src_test[:, b]), "->", to_text(predicted[:, b]))

# %% [markdown]
# **Sans attention.** Pour comparer, on garde le même modèle mais on remplace le contexte
# dynamique $c_t$ par un contexte **fixe** : la moyenne des états de l'encodeur, la même à chaque
# pas. C'est l'encodeur–décodeur « à vecteur unique » du cours.


# %% tags=["skip-grading"]
class FixedContextSeq2Seq(Seq2SeqAttention):
    """Même modèle, mais avec un contexte fixe (moyenne des états de l'encodeur)."""

    def forward(self, src, tgt_in):
        mask = src != PAD
        annotations, h_n = self.encoder(self.src_embedding(src))
        s = torch.tanh(self.init_state(torch.cat([h_n[0], h_n[1]], dim=-1)))
        alpha = mask.to(annotations.dtype) / mask.sum(0)  # poids uniformes sur les vraies positions
        context = (alpha.unsqueeze(-1) * annotations).sum(dim=0)
        all_logits = []
        for y_prev in self.tgt_embedding(tgt_in):
            s = self.decoder_cell(torch.cat([y_prev, context], dim=-1), s)
            all_logits.append(self.output(torch.cat([s, context], dim=-1)))
        return torch.stack(all_logits), alpha.expand(len(tgt_in), *alpha.shape)


torch.manual_seed(0)
gen_fixed = torch.Generator().manual_seed(0)
baseline = FixedContextSeq2Seq(VOCAB, EMB, HIDDEN).to(device)
baseline_losses = train(baseline, STEPS, gen_fixed)
baseline_accuracy = exact_match(
    greedy_decode(baseline, src_test.to(device), tgt_test.shape[0]).cpu(), tgt_test
)
print(f"avec attention : {accuracy:.1%} ; contexte fixe : {baseline_accuracy:.1%}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(losses, label="attention")
ax.plot(baseline_losses, label="contexte fixe")
ax.set(xlabel="pas", ylabel="entropie croisée", yscale="log", title="Apprentissage")
ax.legend()
fig.tight_layout()
plt.show()

# %% tags=["skip-grading"]
# Carte des poids d'attention de quelques exemples de test (à commenter à la question 7a).
examples = [0, 1, 2]
with torch.no_grad():
    src_ex = src_test[:, examples].to(device)
    out_ex = greedy_decode(translator, src_ex, tgt_test.shape[0])
    _, weights_ex = translator(src_ex, shift_right(out_ex))
fig, axes = plt.subplots(1, len(examples), figsize=(4 * len(examples), 4))
for ax, b in zip(axes, range(len(examples))):
    source, produced = to_text(src_ex[:, b]), to_text(out_ex[:, b])
    heat = weights_ex[: len(produced) + 1, : len(source), b].cpu()
    ax.imshow(heat, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(source)), list(source))
    ax.set_yticks(range(len(produced) + 1), list(produced) + ["EOS"])
    ax.set(xlabel="source", ylabel="sortie", title=f"{source} -> {produced}")
fig.tight_layout()
fig.savefig("tp5_attention_heatmap.png", dpi=100)
plt.show()

# %% [markdown] question="Q7a" points=2 manual=true
# ## Question 7a — Lire une carte d'attention, réponse rédigée (2 points)
#
# Décrivez la carte d'attention obtenue ci-dessus pour quelques exemples : où se trouvent les
# poids forts, et pourquoi cette forme est-elle celle qu'on attend pour cette tâche ? Que devient
# la ligne de l'EOS ? Qu'attendriez-vous pour une vraie traduction entre deux langues ?

# %% [markdown] tags=["answer"] question="Q7a"
# BEGIN SOLUTION
# Les poids forts forment une **anti-diagonale** : pour produire le premier chiffre de la sortie,
# le décodeur regarde presque uniquement le dernier chiffre de la source, puis l'avant-dernier, et
# ainsi de suite. C'est exactement l'alignement de la tâche (le k-ième symbole de la sortie est le
# (n+1-k)-ième de l'entrée) : le modèle a appris, sans qu'on le lui dise, où lire chaque symbole.
# Les poids sont très concentrés (proches de 1 sur une case), ce qui montre que le contexte $c_t$
# est essentiellement l'état d'une seule position. La ligne de l'EOS est plus diffuse ou retombe
# sur le début de la source : le décodeur doit savoir qu'il a tout recopié, information que
# portent plutôt son propre état et les extrémités de la phrase. Les colonnes de remplissage ne
# reçoivent aucun poids grâce au masque. Pour une vraie traduction, on attendrait une carte
# proche de la diagonale, avec des inversions locales (adjectif et nom en français et en anglais)
# et des poids partagés quand un mot se traduit par plusieurs, ou l'inverse.
# END SOLUTION

# %% [markdown]
# ## Partie 6 — Échantillonner avec une température
#
# Pour générer, on tire le symbole suivant selon $\operatorname{softmax}(\ell / T)$ où $\ell$ sont
# les logits et $T > 0$ la température. Avec $T = 1$, c'est la distribution du modèle ; quand
# $T \to 0$ la distribution se concentre sur le symbole le plus probable (décodage glouton) ;
# quand $T$ grandit elle s'aplatit vers l'uniforme.

# %% [markdown] question="Q6" points=2
# ## Question 6 — `sample(logits, temperature)` (2 points)
#
# `sample(logits, temperature=1.0) -> LongTensor`
#
# - `logits` : `(B, V)` (un batch de distributions) ou `(V,)` ; le résultat a la forme de
#   `logits` sans la dernière dimension : un indice tiré par ligne ;
# - tirage selon $\operatorname{softmax}(\text{logits} / T)$ avec le générateur global de torch
#   (`torch.multinomial`) ; `temperature == 0` signifie glouton (l'indice du plus grand logit) ;
# - les lignes sont tirées indépendamment, sans boucle Python.
#
# *Noté automatiquement : sur de nombreux tirages (graine fixée par le correcteur), les
# fréquences observées sont comparées à la distribution attendue pour plusieurs températures
# (très petite, 1, intermédiaires, très grande).*


# %%
def sample(logits, temperature=1.0):
    """Un indice tiré par ligne selon softmax(logits / temperature) ; glouton si temperature == 0."""
    # BEGIN SOLUTION
    if temperature == 0:
        return logits.argmax(dim=-1)
    probabilities = torch.softmax(logits / temperature, dim=-1)
    flat = probabilities.reshape(-1, logits.shape[-1])
    return torch.multinomial(flat, 1).reshape(logits.shape[:-1])
    # END SOLUTION


# %% tags=["skip-grading"]
torch.manual_seed(0)
logits_demo = torch.tensor([2.0, 1.0, 0.0, -1.0])
for T in (0.1, 0.5, 1.0, 2.0, 10.0):
    draws = sample(logits_demo.expand(20000, 4), T)
    frequencies = torch.bincount(draws, minlength=4) / 20000
    expected = torch.softmax(logits_demo / T, dim=-1)
    print(
        f"T = {T:>4} : observé {frequencies.numpy().round(3)}, attendu {expected.numpy().round(3)}"
    )

# %% [markdown] question="Q7b" points=1 manual=true
# ## Question 7b — Pourquoi un encodage de position ? Réponse rédigée (1 point)
#
# Notre encodeur est récurrent. Un Transformer, lui, n'utilise que l'attention multi-têtes (et des
# couches denses appliquées position par position). Expliquez pourquoi il a besoin d'un encodage
# de position ajouté aux *embeddings* : que se passe-t-il si l'on permute les positions de
# l'entrée d'une couche d'attention sans encodage de position ?

# %% [markdown] tags=["answer"] question="Q7b"
# BEGIN SOLUTION
# L'attention traite ses entrées comme un **ensemble** : les scores ne dépendent que des contenus
# des vecteurs, pas de leur rang. Si l'on permute les positions de l'entrée d'une couche
# d'auto-attention, les sorties sont permutées de la même façon et ne changent pas autrement
# (équivariance par permutation) ; une sortie agrégée comme une moyenne ne change pas du tout.
# Sans information de position, « le chat mange la souris » et « la souris mange le chat » seraient
# donc indiscernables. Un RNN, au contraire, lit les symboles un par un et l'ordre est inscrit dans
# sa récurrence. L'encodage de position (par exemple les sinus et cosinus de fréquences
# différentes du cours) ajoute à chaque *embedding* un vecteur propre à sa position : l'attention
# peut alors tenir compte de l'ordre et des distances relatives.
# END SOLUTION

# %% [markdown] question="Q7c" points=1 manual=true
# ## Question 7c — Le goulot d'étranglement du contexte fixe, réponse rédigée (1 point)
#
# Comparez les résultats du modèle avec attention et du modèle à contexte fixe. Expliquez ce
# qu'est le « goulot d'étranglement » d'un encodeur–décodeur sans attention et comment
# l'attention le lève. Comment l'écart devrait-il évoluer avec la longueur des suites ?

# %% [markdown] tags=["answer"] question="Q7c"
# BEGIN SOLUTION
# Sans attention, toute la source doit tenir dans un vecteur de taille fixe (ici la moyenne des
# états de l'encodeur, en plus de l'état initial) : ce vecteur ne grandit pas avec la phrase, et le
# décodeur doit en extraire chaque symbole, dans le bon ordre, alors qu'il est le même à chaque pas.
# Avec le même budget (600 pas), ce modèle reste derrière : environ trois suites sur quatre
# exactement renversées, contre toutes pour le modèle avec attention (et l'écart est bien plus net
# au début de l'apprentissage). L'attention recalcule un contexte à chaque
# pas et peut aller chercher directement l'état de la position utile : l'information n'a plus à
# passer par un seul vecteur, et le gradient arrive directement sur la position concernée.
# L'écart doit grandir avec la longueur : une suite plus longue contient plus d'information à
# compresser dans le même vecteur, alors que l'attention n'en lit qu'une position à la fois.
# END SOLUTION
