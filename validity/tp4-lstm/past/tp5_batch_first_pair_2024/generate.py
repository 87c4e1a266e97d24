from textloader import code2string, string2code, id2lettre
import math
import torch
import torch.nn.functional as F

from tp5 import device, LSTM

#  TODO:  Ce fichier contient les différentes fonction de génération


def _zero_state(rnn, n=1):
    h = torch.zeros(n, rnn.latent, device=device)
    return (h, torch.zeros_like(h)) if isinstance(rnn, LSTM) else h


def _hidden(rnn, state):
    return state[0] if isinstance(rnn, LSTM) else state


def _read(rnn, emb, start):
    state = _zero_state(rnn)
    for code in string2code(start).to(device):
        state = rnn.one_step(emb(code.view(1)), state)
    return state


def generate(rnn, emb, decoder, eos, start="", maxlen=200, temperature=None):
    """  Fonction de génération (l'embedding et le decodeur être des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
        * temperature : None -> argmax, sinon tirage selon softmax(logits / temperature)
    """
    with torch.no_grad():
        state = _read(rnn, emb, start)
        out = []
        while len(out) <= maxlen:
            logits = decoder(_hidden(rnn, state))
            if temperature is None:
                c = logits.argmax(-1)
            else:
                c = torch.multinomial(F.softmax(logits / temperature, -1), 1)[:, 0]
            if c.item() == eos:
                break
            out.append(c.item())
            state = rnn.one_step(emb(c), state)
    return start + code2string(out)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200, nucleus_alpha=None):
    """
        Génère une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * k : le paramètre du beam-search
        * start : début de la phrase
        * maxlen : longueur maximale
        * nucleus_alpha : si donne, chaque hypothese tire k symboles dans le nucleus de masse alpha (Q7)
    """
    dist = p_nucleus(decoder, nucleus_alpha) if nucleus_alpha is not None else None
    with torch.no_grad():
        beam = [(0.0, [], _read(rnn, emb, start), False)]
        for _ in range(maxlen):
            pool = []
            for score, codes, state, finished in beam:
                if finished:
                    pool.append((score, codes, state, True))
                    continue
                h = _hidden(rnn, state)
                if dist is None:
                    logp, cand = F.log_softmax(decoder(h), -1)[0].topk(k)
                else:
                    p = dist(h)[0]
                    cand = torch.multinomial(p, min(k, int((p > 0).sum())), replacement=False)
                    logp = p[cand].log()
                for lp, c in zip(logp.tolist(), cand.tolist()):
                    pool.append((score + lp, codes + [c], state, c == eos))
            pool.sort(key=lambda t: t[0], reverse=True)
            beam = []
            for score, codes, state, finished in pool[:k]:
                if not finished:
                    state = rnn.one_step(emb(torch.tensor([codes[-1]], device=device)), state)
                beam.append((score, codes, state, finished))
            if all(t[3] for t in beam):
                break
        score, codes, _, finished = beam[0]
    return start + code2string(codes[:-1] if finished else codes)


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
        p = F.softmax(decoder(h), dim=-1)
        sp, ind = p.sort(-1, descending=True)
        before = sp.cumsum(-1) - sp
        sp = torch.where(before < alpha, sp, torch.zeros_like(sp))
        sp = sp / sp.sum(-1, keepdim=True)
        return torch.zeros_like(p).scatter(-1, ind, sp)
    return compute
