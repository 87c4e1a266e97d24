# target: generate.py
# lose: Q6
# message: tp4_beam_not_best
# why: EOS is treated as an ordinary symbol: finished hypotheses keep being extended (and penalised) until maxlen
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        beams = [([], 0.0, state)]
        for _ in range(maxlen):
            candidates = []
            for codes, score, st in beams:
                logp = torch.log_softmax(decoder(rnn.hidden(st)), dim=-1)[0]
                top = torch.topk(logp, k)
                for lp, sym in zip(top.values.tolist(), top.indices.tolist()):
                    candidates.append((codes + [sym], score + lp, st))
            candidates.sort(key=lambda c: -c[1])
            beams = [(codes, score, _feed(rnn, emb, st, [codes[-1]])) for codes, score, st in candidates[:k]]
        best = max(beams, key=lambda b: b[1])
    return start + code2string(best[0])
