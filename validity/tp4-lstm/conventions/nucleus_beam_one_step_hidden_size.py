# convention: generate_beam_nucleus for a model with PyTorch-style names: state h = torch.zeros(1, rnn.hidden_size) created by the caller, rnn.one_step(emb(codes (n,)), h) for the whole beam, p_nucleus(rnn.decode, alpha) instead of the decoder argument
# target: generate.py
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    nucleus = p_nucleus(rnn.decode, alpha)
    with torch.no_grad():
        h = torch.zeros(1, rnn.hidden_size)
        for code in string2code(start):
            h = rnn.one_step(emb(code.view(1)), h)
        hyps = [{"score": 0.0, "codes": [], "row": 0, "done": False}]
        for _ in range(maxlen):
            running = [hyp for hyp in hyps if not hyp["done"]]
            if not running:
                break
            q = nucleus(h)
            candidates = [hyp for hyp in hyps if hyp["done"]]
            for hyp in running:
                probs = q[hyp["row"]]
                size = min(k, int(torch.count_nonzero(probs)))
                for sym in torch.multinomial(probs, size).tolist():
                    candidates.append({"score": hyp["score"] + float(probs[sym].log()),
                                       "codes": hyp["codes"] + ([] if sym == eos else [sym]),
                                       "row": hyp["row"], "done": sym == eos, "sym": sym})
            candidates.sort(key=lambda hyp: hyp["score"], reverse=True)
            hyps = candidates[:k]
            feed = [hyp for hyp in hyps if not hyp["done"]]
            if feed:
                rows = torch.tensor([hyp["row"] for hyp in feed])
                codes = torch.tensor([hyp["sym"] for hyp in feed])
                h = rnn.one_step(emb(codes), h[rows])
                for new_row, hyp in enumerate(feed):
                    hyp["row"] = new_row
        best = max(hyps, key=lambda hyp: hyp["score"])
    return start + code2string(best["codes"])
