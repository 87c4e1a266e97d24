from textloader import code2string, string2code, id2lettre
import math
import torch
import torch.nn.functional as F

#  TODO:  Ce fichier contient les différentes fonction de génération


def _step(rnn, x, h, c):
    # un pas du reseau, pour le RNN/GRU (c = None) comme pour le LSTM
    if c is None:
        return rnn.one_step(x, h), None
    return rnn.one_step(x, h, c)


def _init(rnn, emb, start, lstm, n=1):
    dev = next(rnn.parameters()).device
    h = torch.zeros(n, rnn.latent, device=dev)
    c = torch.zeros(n, rnn.latent, device=dev) if lstm else None
    for code in string2code(start).to(dev):
        h, c = _step(rnn, emb(code.repeat(n)), h, c)
    return h, c


def generate(rnn, emb, decoder, eos, start="", maxlen=200, lstm=False, sampling=False):
    """  Fonction de génération (l'embedding et le decodeur être des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
        * lstm : True si rnn est un LSTM (etat (h, c))
        * sampling : tirage selon la distribution plutot que argmax
    """
    with torch.no_grad():
        h, c = _init(rnn, emb, start, lstm)
        res = []
        for _ in range(maxlen):
            logits = decoder(h)
            if sampling:
                code = torch.multinomial(F.softmax(logits, dim=-1), 1).view(-1)
            else:
                code = logits.argmax(dim=-1)
            if code.item() == eos:
                break
            res.append(code.item())
            h, c = _step(rnn, emb(code), h, c)
    return start + code2string(res)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200, lstm=False, nucleus=None):
    """
        Génère une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * k : le paramètre du beam-search
        * start : début de la phrase
        * maxlen : longueur maximale
        * nucleus : si donne (p_nucleus(decoder, alpha)), chaque candidat tire k symboles dans le nucleus
    """
    with torch.no_grad():
        h, c = _init(rnn, emb, start, lstm)
        # un candidat : (log-vraisemblance, codes, h, c, fini)
        beam = [(0.0, [], h, c, False)]
        for _ in range(maxlen):
            candidates = []
            for score, codes, h, c, done in beam:
                if done:
                    candidates.append((score, codes, h, c, True))
                    continue
                if nucleus is None:
                    logp = F.log_softmax(decoder(h), dim=-1)[0]
                    top = torch.topk(logp, k)
                    proposals = zip(top.values.tolist(), top.indices.tolist())
                else:
                    p = nucleus(h)[0]
                    n = min(k, int((p > 0).sum()))
                    idx = torch.multinomial(p, n, replacement=False)
                    proposals = zip(torch.log(p[idx]).tolist(), idx.tolist())
                for lp, code in proposals:
                    candidates.append((score + lp, codes + [code], h, c, code == eos))
            candidates.sort(key=lambda cand: cand[0], reverse=True)
            beam = []
            for score, codes, h, c, done in candidates[:k]:
                if not done:
                    x = emb(torch.tensor([codes[-1]], device=h.device))
                    h, c = _step(rnn, x, h, c)
                beam.append((score, codes, h, c, done))
            if all(done for *_, done in beam):
                break
        best = max(beam, key=lambda cand: cand[0])
        codes = best[1][:-1] if best[4] else best[1]
    return start + code2string(codes)


# p_nucleus
def p_nucleus(decoder, alpha: float):
    """Renvoie une fonction qui calcule la distribution de probabilité sur les sorties

    Args:
        * decoder: renvoie les logits étant donné l'état du RNN
        * alpha (float): masse de probabilité à couvrir
    """
    def compute(h):
        """Calcule la distribution de probabilité sur les sorties

        Args:
           * h (torch.Tensor): L'état à décoder
        """
        probs = F.softmax(decoder(h), dim=-1)
        sorted_probs, indices = torch.sort(probs, dim=-1, descending=True)
        cumul = torch.cumsum(sorted_probs, dim=-1)
        # on garde les symboles tant que la masse AVANT eux est < alpha (celui qui depasse est inclus)
        keep = (cumul - sorted_probs) < alpha
        sorted_probs = sorted_probs * keep
        out = torch.zeros_like(probs).scatter(-1, indices, sorted_probs)
        return out / out.sum(dim=-1, keepdim=True)
    return compute
