from textloader import code2string, string2code, id2lettre
import math
import torch
import torch.nn.functional as F

from tp5 import device


def _start_state(rnn, emb, start):
    state = rnn.init_state(1)
    for c in string2code(start):
        state = rnn.one_step(emb(torch.tensor([[c]], device=device))[0], state)
    return state


def generate(rnn, emb, decoder, eos, start="", maxlen=200, sample=False, temperature=1.0, verbose=False):
    """  Fonction de génération (l'embedding et le decodeur doivent etre des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
        * sample : tirage selon la softmax (sinon argmax)
        * temperature : temperature de la softmax si sample
    """
    with torch.no_grad():
        state = _start_state(rnn, emb, start)
        res = []
        for i in range(maxlen):
            logits = decoder(rnn.hidden(state))
            if sample:
                c = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1).item()
            else:
                c = logits.argmax(-1).item()
            if c == eos:
                break
            res.append(c)
            if verbose:
                print(id2lettre[c], end="")
            state = rnn.one_step(emb(torch.tensor([[c]], device=device))[0], state)
    return start + code2string(res)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    """
        Génere une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * k : le paramètre du beam-search
    """
    with torch.no_grad():
        # (codes, log-proba, etat, fini)
        beams = [([], 0.0, _start_state(rnn, emb, start), False)]
        for i in range(maxlen):
            candidates = []
            for codes, score, state, done in beams:
                if done:
                    candidates.append((codes, score, state, True, False))
                    continue
                logp = F.log_softmax(decoder(rnn.hidden(state)), dim=-1)[0]
                top = torch.topk(logp, k)
                for lp, c in zip(top.values.tolist(), top.indices.tolist()):
                    candidates.append((codes + [c], score + lp, state, c == eos, True))
            candidates.sort(key=lambda b: b[1], reverse=True)
            beams = []
            for codes, score, state, done, new in candidates[:k]:
                if new and not done:
                    state = rnn.one_step(emb(torch.tensor([[codes[-1]]], device=device))[0], state)
                beams.append((codes, score, state, done))
            if all(b[3] for b in beams):
                break
        best = max(beams, key=lambda b: b[1])[0]
        if len(best) > 0 and best[-1] == eos:
            best = best[:-1]
    return start + code2string(best)


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
        sorted_p, idx = torch.sort(probs, descending=True, dim=-1)
        cum = torch.cumsum(sorted_p, dim=-1)
        # on retire ce qui est apres le depassement de alpha (on garde celui qui depasse)
        remove = cum > alpha
        remove[..., 1:] = remove[..., :-1].clone()
        remove[..., 0] = False
        sorted_p[remove] = 0
        out = torch.zeros_like(probs).scatter(-1, idx, sorted_p)
        return out / out.sum(dim=-1, keepdim=True)
    return compute


def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    nucleus = p_nucleus(decoder, alpha)
    with torch.no_grad():
        beams = [([], 0.0, _start_state(rnn, emb, start), False)]
        for i in range(maxlen):
            candidates = []
            for codes, score, state, done in beams:
                if done:
                    candidates.append((codes, score, state, True, False))
                    continue
                q = nucleus(rnn.hidden(state))[0]
                n = min(k, int((q > 0).sum()))
                for c in torch.multinomial(q, n).tolist():
                    candidates.append((codes + [c], score + math.log(q[c].item()), state, c == eos, True))
            candidates.sort(key=lambda b: b[1], reverse=True)
            beams = []
            for codes, score, state, done, new in candidates[:k]:
                if new and not done:
                    state = rnn.one_step(emb(torch.tensor([[codes[-1]]], device=device))[0], state)
                beams.append((codes, score, state, done))
            if all(b[3] for b in beams):
                break
        best = max(beams, key=lambda b: b[1])[0]
        if len(best) > 0 and best[-1] == eos:
            best = best[:-1]
    return start + code2string(best)
