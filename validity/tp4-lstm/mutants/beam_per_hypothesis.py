# target: generate.py
# lose: Q6
# message: tp4_beam_not_best
# why: extends each hypothesis by its own best symbol only (k greedy runs from the first step's top-k), no global selection
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        logp = torch.log_softmax(decoder(rnn.hidden(state)), dim=-1)[0]
        top = torch.topk(logp, k)
        beams = []
        for lp, sym in zip(top.values.tolist(), top.indices.tolist()):
            beams.append(([sym], lp, _feed(rnn, emb, state, [sym]) if sym != eos else state, sym == eos))
        for _ in range(maxlen - 1):
            new = []
            for codes, score, st, done in beams:
                if done:
                    new.append((codes, score, st, True))
                    continue
                logp = torch.log_softmax(decoder(rnn.hidden(st)), dim=-1)[0]
                sym = int(logp.argmax())
                new.append((codes + [sym], score + float(logp[sym]), _feed(rnn, emb, st, [sym]) if sym != eos else st, sym == eos))
            beams = new
        best = max(beams, key=lambda b: b[1])
        codes = [c for c in best[0] if c != eos]
    return start + code2string(codes)
