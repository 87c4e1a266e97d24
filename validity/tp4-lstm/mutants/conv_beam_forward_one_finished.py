# target: generate.py
# lose: Q6
# message: tp4_beam_worse_than_greedy
# why: beam search written for forward(x, h) (caller-made zero state, rnn(x, h)[-1]) that keeps a single finished hypothesis: each new one overwrites the previous, even a better one
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        prefix = string2code(start)
        if len(prefix):
            h = rnn(emb(prefix.view(-1, 1)), h)[-1]
        alive = [(0.0, [])]
        finished = None  # (score, codes) of the last hypothesis that ended
        for _ in range(maxlen):
            if not alive:
                break
            logp = torch.log_softmax(decoder(h), dim=-1)
            values, symbols = logp.topk(min(k, logp.shape[-1]), dim=-1)
            pool = []
            for row, (score, codes) in enumerate(alive):
                for lp, sym in zip(values[row].tolist(), symbols[row].tolist()):
                    pool.append((score + lp, codes, sym, row))
            pool.sort(key=lambda item: -item[0])
            alive, rows, fed = [], [], []
            for score, codes, sym, row in pool[:k]:
                if sym == eos:
                    finished = (score, codes)
                else:
                    alive.append((score, codes + [sym]))
                    rows.append(row)
                    fed.append(sym)
            if alive:
                h = rnn(emb(torch.tensor([fed])), h[rows])[-1]
        pool = alive + ([finished] if finished is not None else [])
        best = max(pool, key=lambda item: item[0])
    return start + code2string(best[1])
