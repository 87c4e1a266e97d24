# convention: generate_beam for a model driven by one_step(x, h) on a state the caller creates (torch.zeros(1, rnn.latent)), decoded by rnn.decode(h) rather than the decoder argument; codes embedded as (n,) tensors
# target: generate.py
def generate_beam(rnn, emb, decoder, eos, k, start="", maxlen=200):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        for code in string2code(start):
            h = rnn.one_step(emb(code.view(1)), h)
        scores = torch.zeros(1)  # log-probabilities of the running hypotheses (rows of h)
        seqs = [[]]
        done = []  # finished hypotheses: (score, codes)
        for _ in range(maxlen):
            logp = torch.log_softmax(rnn.decode(h), dim=1)  # (n, V)
            top_lp, top_ix = torch.topk(logp, min(k, logp.size(1)), dim=1)
            cand = (scores.unsqueeze(1) + top_lp).flatten()
            parent = torch.arange(len(seqs)).repeat_interleave(top_ix.size(1))
            symbol = top_ix.flatten()
            # finished hypotheses compete with the new candidates, with their own score
            all_scores = torch.cat([torch.tensor([s for s, _ in done], dtype=cand.dtype), cand])
            order = torch.argsort(all_scores, descending=True, stable=True)[:k].tolist()
            new_done, keep = [], []
            for j in order:
                if j < len(done):
                    new_done.append(done[j])
                elif symbol[j - len(done)].item() == eos:
                    new_done.append((cand[j - len(done)].item(), seqs[parent[j - len(done)]]))
                else:
                    keep.append(j - len(done))
            done = new_done
            keep = torch.tensor(keep, dtype=torch.long)
            seqs = [seqs[parent[j]] + [symbol[j].item()] for j in keep.tolist()]
            scores = cand[keep]
            if not seqs:
                break
            h = rnn.one_step(emb(symbol[keep]), h[parent[keep]])
        pool = done + list(zip(scores.tolist(), seqs))  # finished first: they win a tie
        best = max(pool, key=lambda p: p[0])
    return start + code2string(best[1])
