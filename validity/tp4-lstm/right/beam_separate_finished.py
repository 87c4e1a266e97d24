# target: generate.py
# why: finished hypotheses go to their own list; the beam keeps k running ones and stops once no running one can beat the best finished
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        running = [(0.0, [], state)]
        finished = []
        for _ in range(maxlen):
            proposals = []
            for score, codes, st in running:
                logp = torch.log_softmax(decoder(rnn.hidden(st)), dim=-1).squeeze(0)
                values, symbols = logp.topk(k)
                for lp, sym in zip(values.tolist(), symbols.tolist()):
                    proposals.append((score + lp, codes, sym, st))
            proposals.sort(key=lambda p: p[0], reverse=True)
            running = []
            for score, codes, sym, st in proposals:
                if len(running) == k:
                    break
                if sym == eos:
                    finished.append((score, codes))
                else:
                    running.append((score, codes + [sym], _feed(rnn, emb, st, [sym])))
            best_finished = max((s for s, _ in finished), default=float("-inf"))
            if not running or running[0][0] <= best_finished:
                break  # scores only go down: no running hypothesis can win any more
        pool = finished + [(s, c) for s, c, _ in running]
        score, codes = max(pool, key=lambda p: p[0])
    return start + code2string(codes)
