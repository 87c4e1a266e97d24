from textloader import code2string, string2code, id2lettre
import math
import torch

#  TODO:  Ce fichier contient les différentes fonction de génération


def generate(rnn, emb, decoder, eos, start="", maxlen=200, random=False):
    """  Fonction de génération (l'embedding et le decodeur être des fonctions du rnn). Initialise le réseau avec start (ou à 0 si start est vide) et génère une séquence de longueur maximale 200 ou qui s'arrête quand eos est généré.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * start : début de la phrase
        * maxlen : longueur maximale
    """
    h = torch.zeros(1, rnn.latent)
    with torch.no_grad():
        for c in string2code(start):
            h = rnn.one_step(emb(c.view(1)), h)
        seq = []
        for i in range(maxlen):
            out = decoder(h)
            if random:
                c = torch.distributions.Categorical(logits=out).sample()
            else:
                c = torch.argmax(out, dim=1)
            if c.item() == eos:
                break
            seq.append(c.item())
            h = rnn.one_step(emb(c), h)
    return start + code2string(seq)


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    """
        Génère une séquence en beam-search : à chaque itération, on explore pour chaque candidat les k symboles les plus probables; puis seuls les k meilleurs candidats de l'ensemble des séquences générées sont conservés (au sens de la vraisemblance) pour l'itération suivante.
        * rnn : le réseau
        * emb : la couche d'embedding
        * decoder : le décodeur
        * eos : ID du token end of sequence
        * k : le paramètre du beam-search
        * start : début de la phrase
        * maxlen : longueur maximale
    """
    h = torch.zeros(1, rnn.latent)
    with torch.no_grad():
        for c in string2code(start):
            h = rnn.one_step(emb(c.view(1)), h)
        beams = [(0.0, [], h)]  # (log proba, sequence, etat)
        finished = []
        for i in range(maxlen):
            candidates = []
            for logp, seq, h in beams:
                lp = torch.log_softmax(decoder(h), dim=1)[0]
                top_lp, top_c = torch.topk(lp, k)
                for l, c in zip(top_lp.tolist(), top_c.tolist()):
                    candidates.append((logp + l, seq + [c], h))
            candidates += finished
            candidates.sort(key=lambda x: x[0], reverse=True)
            candidates = candidates[:k]
            beams, finished = [], []
            for logp, seq, h in candidates:
                if seq[-1] == eos:
                    finished.append((logp, seq, h))
                else:
                    beams.append((logp, seq, rnn.one_step(emb(torch.tensor([seq[-1]])), h)))
            if len(beams) == 0:
                break
        best = max(beams + finished, key=lambda x: x[0])
    seq = best[1]
    if seq and seq[-1] == eos:
        seq = seq[:-1]
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
        #  TODO:  Implémentez le Nucleus sampling ici (pour un état s)
    return compute
