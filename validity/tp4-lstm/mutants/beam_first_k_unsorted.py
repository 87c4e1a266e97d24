# target: generate.py
# lose: Q6
# message: tp4_beam_not_best
# why: keeps the first k proposals in the order they were made (no global sort): the first hypothesis's top-k always wins
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        beams = [([], 0.0, state, False)]
        for _ in range(maxlen):
            if all(done for *_, done in beams):
                break
            candidates = []
            for codes, score, st, done in beams:
                if done:
                    candidates.append((codes, score, st, True))
                    continue
                logp = torch.log_softmax(decoder(rnn.hidden(st)), dim=-1)[0]
                top = torch.topk(logp, k)
                for lp, sym in zip(top.values.tolist(), top.indices.tolist()):
                    candidates.append((codes + [sym], score + lp, st, sym == eos))
            beams = []
            for codes, score, st, done in candidates[:k]:  # forgot to sort the candidates
                if not done:
                    st = _feed(rnn, emb, st, [codes[-1]])
                beams.append((codes, score, st, done))
        best = max(beams, key=lambda b: b[1])
        codes = [c for c in best[0] if c != eos]
    return start + code2string(codes)
