# target: generate.py
# why: generate_beam_nucleus written without the beam_search helper: torch.multinomial without replacement, at most the nucleus size per hypothesis
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    nucleus = p_nucleus(decoder, alpha)
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        running, finished = [(0.0, [], state)], []
        for _ in range(maxlen):
            if not running:
                break
            pool = [(s, c, None, None) for s, c in finished]
            for score, codes, st in running:
                q = nucleus(rnn.hidden(st))[0]
                n = min(k, int((q > 0).sum()))
                for sym in torch.multinomial(q, n).tolist():
                    pool.append((score + float(torch.log(q[sym])), codes, sym, st))
            pool.sort(key=lambda p: p[0], reverse=True)
            running, finished = [], []
            for score, codes, sym, st in pool[:k]:
                if sym is None:
                    finished.append((score, codes))
                elif sym == eos:
                    finished.append((score, codes))
                else:
                    running.append((score, codes + [sym], _feed(rnn, emb, st, [sym])))
        best = max(finished + [(s, c) for s, c, _ in running], key=lambda p: p[0])
    return start + code2string(best[1])
