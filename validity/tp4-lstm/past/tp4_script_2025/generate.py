import torch
import torch.nn.functional as F

from textloader import EOS_IX, code2string, string2code


def _device(rnn, state):
    return rnn.hidden(state).device


def _read(rnn, emb, start):
    state = rnn.init_state(1)
    for code in string2code(start).tolist():
        x = emb(torch.tensor([[code]], device=_device(rnn, state)))[0]
        state = rnn.one_step(x, state)
    return state


def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = _read(rnn, emb, start)
        codes = []
        while len(codes) < maxlen:
            logits = decoder(rnn.hidden(state))
            if sample:
                code = torch.distributions.Categorical(logits=logits[0]).sample().item()
            else:
                code = logits[0].argmax().item()
            if code == eos:
                break
            codes.append(code)
            state = rnn.one_step(emb(torch.tensor([[code]], device=_device(rnn, state)))[0], state)
    return start + code2string(codes)


def _select(state, rows):
    if isinstance(state, tuple):
        return tuple(s[rows] for s in state)
    return state[rows]


def beam_search(rnn, emb, decoder, eos, k, start, maxlen, candidates):
    with torch.no_grad():
        state = _read(rnn, emb, start)
        alive = [([], 0.0)]          # hypotheses non finies, une ligne de state chacune
        finished = []                # (codes, score)
        for _ in range(maxlen):
            if not alive:
                break
            scores, symbols = candidates(rnn.hidden(state))  # (n, c)
            pool = [(codes, score, None, None) for codes, score in finished]
            for row, (codes, score) in enumerate(alive):
                for s, sym in zip(scores[row].tolist(), symbols[row].tolist()):
                    if s != float("-inf"):
                        pool.append((codes, score + s, row, sym))
            pool.sort(key=lambda p: p[1], reverse=True)
            finished, alive, rows, fed = [], [], [], []
            for codes, score, row, sym in pool[:k]:
                if row is None:
                    finished.append((codes, score))
                elif sym == eos:
                    finished.append((codes, score))
                else:
                    alive.append((codes + [sym], score))
                    rows.append(row)
                    fed.append(sym)
            if alive:
                device = _device(rnn, state)
                state = _select(state, torch.tensor(rows, device=device))
                state = rnn.one_step(emb(torch.tensor([fed], device=device))[0], state)
        best = max(finished + alive, key=lambda p: p[1])
    return start + code2string(best[0])


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    def topk(h):
        logp = F.log_softmax(decoder(h), dim=-1)
        return torch.topk(logp, min(k, logp.size(-1)), dim=-1)
    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, topk)


def p_nucleus(decoder, alpha: float):
    def compute(h):
        p = F.softmax(decoder(h), dim=-1)
        p_sorted, order = p.sort(dim=-1, descending=True)
        mass_before = p_sorted.cumsum(dim=-1) - p_sorted
        keep_sorted = mass_before < alpha   # le symbole qui fait passer alpha est garde
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        return p * keep
    return compute


def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    nucleus = p_nucleus(decoder, alpha)

    def draw(h):
        q = nucleus(h)
        n = min(k, int((q > 0).sum(-1).min()))
        symbols = torch.multinomial(q, n)  # sans remise
        return torch.log(q.gather(-1, symbols)), symbols
    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, draw)
