# convention: generate_beam for a model driven by forward(x, h): the caller creates h = torch.zeros(1, rnn.latent), reads start with rnn(emb(codes (L, 1)), h), then feeds the whole beam at once as a (1, n) code tensor through rnn(x, h)[-1]; decoder(h)
# target: generate.py
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        prefix = string2code(start)
        if len(prefix):
            h = rnn(emb(prefix.view(-1, 1)), h)[-1]  # (1, H)
        alive = [(0.0, [])]  # (log-probability, codes), aligned with the rows of h
        finished = []
        for _ in range(maxlen):
            if not alive:
                break
            logp = torch.log_softmax(decoder(h), dim=-1)  # (n, V)
            values, symbols = logp.topk(min(k, logp.shape[-1]), dim=-1)
            pool = [(score, codes, None, None) for score, codes in finished]
            for row, (score, codes) in enumerate(alive):
                for lp, sym in zip(values[row].tolist(), symbols[row].tolist()):
                    pool.append((score + lp, codes, sym, row))
            pool.sort(key=lambda item: -item[0])  # stable: finished ones first on a tie
            finished, alive, rows, fed = [], [], [], []
            for score, codes, sym, row in pool[:k]:
                if sym is None or sym == eos:
                    finished.append((score, codes))
                else:
                    alive.append((score, codes + [sym]))
                    rows.append(row)
                    fed.append(sym)
            if alive:
                x = emb(torch.tensor([fed]))  # (1, n, D)
                h = rnn(x, h[rows])[-1]  # (n, H)
        best_score, best_codes = max(finished + alive, key=lambda item: item[0])
    return start + code2string(best_codes)
