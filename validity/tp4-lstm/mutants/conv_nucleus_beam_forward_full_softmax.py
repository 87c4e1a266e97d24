# target: generate.py
# lose: Q7
# message: tp4_nucleus_beam_outside
# why: nucleus beam written for forward(x, h) (caller-made zero state) that draws its proposals from the full softmax, never from p_nucleus
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        prefix = string2code(start)
        if len(prefix) > 0:
            h = rnn(emb(prefix.unsqueeze(1)), h)[-1]
        beam, finished = [(0.0, [])], []
        for _ in range(maxlen):
            if not beam:
                break
            p = torch.softmax(decoder(h), dim=-1)
            pool = [(s, c, None, None) for s, c in finished]
            for row, (score, codes) in enumerate(beam):
                for sym in torch.multinomial(p[row], k).tolist():
                    pool.append((score + torch.log(p[row, sym]).item(), codes, sym, row))
            pool.sort(key=lambda item: item[0], reverse=True)
            beam, finished, rows, syms = [], [], [], []
            for score, codes, sym, row in pool[:k]:
                if sym is None or sym == eos:
                    finished.append((score, codes))
                else:
                    beam.append((score, codes + [sym]))
                    rows.append(row)
                    syms.append(sym)
            if beam:
                h = rnn(emb(torch.tensor([syms])), h[rows])[-1]
        score, codes = max(finished + beam, key=lambda item: item[0])
    return start + code2string(codes)
