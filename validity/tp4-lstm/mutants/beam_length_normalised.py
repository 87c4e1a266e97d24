# target: generate.py
# lose: Q6
# message: tp4_beam_not_best
# why: divides each score by the hypothesis length, although the lab asks for no length normalisation
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    def top_k(h):
        logp = torch.log_softmax(decoder(h), dim=-1)
        return torch.topk(logp, min(k, logp.shape[-1]), dim=-1)

    with torch.no_grad():
        state = _prime(rnn, emb, start)
        alive, scores, finished = [[]], [0.0], []
        for _ in range(maxlen):
            if not alive:
                break
            values, symbols = top_k(rnn.hidden(state))
            pool = [(s / max(1, len(c)), c, s, True, None) for s, c in finished]
            for row, (codes, score) in enumerate(zip(alive, scores)):
                for lp, sym in zip(values[row].tolist(), symbols[row].tolist()):
                    total = score + lp
                    pool.append((total / (len(codes) + 1), codes + [sym], total, sym == eos, row))
            pool.sort(key=lambda p: -p[0])
            finished, alive, scores, rows = [], [], [], []
            for _, codes, total, done, row in pool[:k]:
                if done:
                    finished.append((total, codes if row is None else codes[:-1]))
                else:
                    alive.append(codes); scores.append(total); rows.append(row)
            if alive:
                state = _feed(rnn, emb, select_state(state, torch.tensor(rows)), [c[-1] for c in alive])
        pool = [(s / max(1, len(c) + 1), c) for s, c in finished] + [(s / max(1, len(c)), c) for s, c in zip(scores, alive)]
        best = max(pool, key=lambda p: p[0])
    return start + code2string(best[1])
