# convention: generate_beam_nucleus for a model driven by forward(x, h): h = torch.zeros(1, rnn.latent) created by the caller, each step feeds the beam as a (1, n) code tensor through rnn(x, h)[-1]; draws without replacement with torch.multinomial from p_nucleus(decoder, alpha)
# target: generate.py
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    compute = p_nucleus(decoder, alpha)
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        prefix = string2code(start)
        if len(prefix) > 0:
            h = rnn(emb(prefix.unsqueeze(1)), h)[-1]
        beam = [(0.0, [])]
        finished = []
        for _ in range(maxlen):
            if not beam:
                break
            q = compute(h)  # (n, V)
            pool = [(s, c, None, None) for s, c in finished]
            for row, (score, codes) in enumerate(beam):
                n = min(k, int((q[row] > 0).sum()))
                for sym in torch.multinomial(q[row], n, replacement=False).tolist():
                    pool.append((score + torch.log(q[row, sym]).item(), codes, sym, row))
            pool.sort(key=lambda p: p[0], reverse=True)
            beam, finished, rows, syms = [], [], [], []
            for score, codes, sym, row in pool[:k]:
                if sym is None or sym == eos:
                    finished.append((score, codes))
                else:
                    beam.append((score, codes + [sym]))
                    rows.append(row)
                    syms.append(sym)
            if beam:
                h = rnn(emb(torch.tensor([syms])), h[rows])[-1]
        score, codes = max(finished + beam, key=lambda p: p[0])
    return start + code2string(codes)
