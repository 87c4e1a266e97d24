from textloader import code2string, string2code, id2lettre
import math
import torch

#  TODO:  Ce fichier contient les différentes fonction de génération


def is_lstm(rnn):
    return hasattr(rnn, "forget")


def generate(rnn, emb, decoder, eos, start="", maxlen=200, argmax=False):
    """  Fonction de génération (l'embedding et le decodeur être des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
        * argmax : symbole le plus probable (sinon tirage aleatoire)
    """
    device = next(rnn.parameters()).device
    h = torch.zeros(1, rnn.latent, device=device)
    c = torch.zeros(1, rnn.latent, device=device)
    generated = []
    with torch.no_grad():
        for x in string2code(start).to(device):
            if is_lstm(rnn):
                h, c = rnn.one_step(emb(x.unsqueeze(0)), h, c)
            else:
                h = rnn.one_step(emb(x.unsqueeze(0)), h)
        while len(generated) < maxlen:
            probs = torch.softmax(decoder(h), dim=-1)
            if argmax:
                x = probs.argmax(dim=-1)
            else:
                x = torch.multinomial(probs, 1).squeeze(1)
            if x.item() == eos:
                break
            generated.append(x.item())
            if is_lstm(rnn):
                h, c = rnn.one_step(emb(x), h, c)
            else:
                h = rnn.one_step(emb(x), h)
    return start + code2string(generated)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200, nucleus=False):
    """
        Génère une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * k : le paramètre du beam-search
        * start : début de la phrase
        * maxlen : longueur maximale
        * nucleus : si True, decoder est p_nucleus(...) et renvoie des probabilites ; on tire k symboles
    """
    device = next(rnn.parameters()).device
    h = torch.zeros(1, rnn.latent, device=device)
    c = torch.zeros(1, rnn.latent, device=device)
    with torch.no_grad():
        for x in string2code(start).to(device):
            if is_lstm(rnn):
                h, c = rnn.one_step(emb(x.unsqueeze(0)), h, c)
            else:
                h = rnn.one_step(emb(x.unsqueeze(0)), h)
        # chaque hypothese : [score, sequence, h, c, terminee]
        beams = [[0.0, [], h, c, False]]
        for _ in range(maxlen):
            pool = []
            for score, seq, h, c, done in beams:
                if done:
                    pool.append([score, seq, h, c, True])
                    continue
                if nucleus:
                    p = decoder(h)[0]
                    n = min(k, int((p > 0).sum().item()))
                    idx = torch.multinomial(p, n)
                    logp = torch.log(p[idx])
                else:
                    logp, idx = torch.log_softmax(decoder(h), dim=-1)[0].topk(k)
                for lp, i in zip(logp.tolist(), idx.tolist()):
                    pool.append([score + lp, seq + [i], h, c, i == eos])
            pool.sort(key=lambda b: -b[0])
            beams = pool[:k]
            for b in beams:
                if not b[4] and len(b[1]) > 0 and (b[2] is not None):
                    x = torch.tensor([b[1][-1]], device=device)
                    if is_lstm(rnn):
                        b[2], b[3] = rnn.one_step(emb(x), b[2], b[3])
                    else:
                        b[2] = rnn.one_step(emb(x), b[2])
            if all(b[4] for b in beams):
                break
        best = beams[0]
        seq = best[1][:-1] if best[4] else best[1]
    return start + code2string(seq)


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
        probs = torch.softmax(decoder(h), dim=-1)
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        cum = sorted_probs.cumsum(dim=-1)
        remove = cum - sorted_probs >= alpha
        sorted_probs[remove] = 0
        return torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
    return compute
