# target: generate.py
# why: one batched step for the whole beam, then torch.topk over the flattened (hypotheses x vocabulary) scores; finished hypotheses carried along with a single "stay" option
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        seqs, scores, done = [[]], torch.zeros(1), [False]
        for _ in range(maxlen):
            if all(done):
                break
            logp = torch.log_softmax(decoder(rnn.hidden(state)), dim=-1)  # (n, V)
            for row, is_done in enumerate(done):
                if is_done:  # a finished hypothesis only "stays", with its score unchanged
                    logp[row] = float("-inf")
                    logp[row, eos] = 0.0
            total = (scores[:, None] + logp).flatten()
            best = torch.topk(total, min(k, int(torch.isfinite(total).sum()))).indices
            V = logp.shape[1]
            rows, syms = (best // V).tolist(), (best % V).tolist()
            seqs = [seqs[r] + ([] if done[r] else [s]) for r, s in zip(rows, syms)]
            done = [done[r] or s == eos for r, s in zip(rows, syms)]
            scores = total[best]
            state = select_state(state, torch.tensor(rows))
            state = rnn.one_step(emb(torch.tensor([[s if s != eos else 0 for s in syms]]))[0], state)
        codes = seqs[int(scores.argmax())]
    return start + code2string([c for c in codes if c != eos])
