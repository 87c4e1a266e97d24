from textloader import code2string, string2code, id2lettre
import math
import torch
import torch.nn.functional as F

#  TODO:  Ce fichier contient les différentes fonction de génération


def _lstm(rnn):
    return type(rnn).__name__ == "LSTM"


def _start(rnn, emb, start):
    dev = next(rnn.parameters()).device
    state = [torch.zeros(1, rnn.latent, device=dev)]
    if _lstm(rnn):
        state.append(torch.zeros(1, rnn.latent, device=dev))
    for code in string2code(start).tolist():
        state = _advance(rnn, emb, code, state)
    return state


def _advance(rnn, emb, code, state):
    dev = state[0].device
    out = rnn.one_step(emb(torch.tensor([code], device=dev)), *state)
    return list(out) if _lstm(rnn) else [out]


def generate(rnn, emb, decoder, eos, start="", maxlen=200, strategy="greedy"):
    """  Fonction de génération (l'embedding et le decodeur être des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
        * strategy : "greedy" ou "sample"
    """
    with torch.no_grad():
        state = _start(rnn, emb, start)
        codes = []
        for _ in range(maxlen):
            logits = decoder(state[0])[0]
            if strategy == "sample":
                code = torch.multinomial(F.softmax(logits, -1), 1).item()
            else:
                code = logits.argmax().item()
            if code == eos:
                break
            codes.append(code)
            state = _advance(rnn, emb, code, state)
    return start + code2string(codes)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200, alpha=None):
    """
        Génère une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * k : le paramètre du beam-search
        * start : début de la phrase
        * maxlen : longueur maximale
        * alpha : si donne, beam search avec nucleus sampling (k tirages sans remise dans le nucleus)
    """
    nucleus = p_nucleus(decoder, alpha) if alpha is not None else None
    with torch.no_grad():
        beam = [(0.0, [], _start(rnn, emb, start))]
        for _ in range(maxlen):
            pool = []
            for score, codes, state in beam:
                if codes and codes[-1] == eos:
                    pool.append((score, codes, state))
                    continue
                if nucleus is None:
                    logp, cand = F.log_softmax(decoder(state[0])[0], -1).topk(k)
                else:
                    p = nucleus(state[0])[0]
                    cand = torch.multinomial(p, min(k, int((p > 0).sum())))
                    logp = p[cand].log()
                pool += [(score + lp, codes + [c], state) for lp, c in zip(logp.tolist(), cand.tolist())]
            pool.sort(key=lambda t: -t[0])
            beam = []
            for s, c, st in pool[:k]:
                if c[-1] != eos:
                    st = _advance(rnn, emb, c[-1], st)
                beam.append((s, c, st))
            if all(c[-1] == eos for _, c, _ in beam):
                break
        best = beam[0][1]
    return start + code2string(best[:-1] if best and best[-1] == eos else best)


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
        p = F.softmax(decoder(h), -1)
        sp, idx = p.sort(-1, descending=True)
        keep = sp.cumsum(-1) < alpha
        keep[..., 0] = True  # au moins le plus probable (sinon nucleus vide)
        sp = sp * keep
        sp = sp / sp.sum(-1, keepdim=True)
        return torch.zeros_like(p).scatter(-1, idx, sp)
    return compute
