# target: generate.py
# lose: Q6
# message: tp4_beam_worse_than_greedy
# why: scores hypotheses by summing the decoder's raw logits instead of log-probabilities (no log_softmax)
import torch as _torch_b


def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with _torch_b.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start).tolist():
            state = rnn.one_step(emb(_torch_b.tensor([code])), state)
        beam = [(0.0, [], state, False)]
        for _ in range(maxlen):
            pool = []
            for score, codes, st, done in beam:
                if done:
                    pool.append((score, codes, st, True))
                    continue
                logits = decoder(rnn.hidden(st))[0]
                top = _torch_b.topk(logits, k)
                for value, code in zip(top.values.tolist(), top.indices.tolist()):
                    if code == eos:
                        pool.append((score + value, codes, st, True))
                    else:
                        pool.append((score + value, codes + [code], rnn.one_step(emb(_torch_b.tensor([code])), st), False))
            pool.sort(key=lambda item: -item[0])
            beam = pool[:k]
            if all(done for *_, done in beam):
                break
        return start + code2string(beam[0][1])
