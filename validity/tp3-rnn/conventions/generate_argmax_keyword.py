# convention: generate_fixed(rnn, emb, start, length, argmax=True) — the mode chosen by an `argmax` flag (False = sample from the softmax), greedy by default
def generate_fixed(rnn, emb, start, length, argmax=True):
    dev = next(rnn.parameters()).device
    out = list(start)
    with torch.no_grad():
        h = rnn.init_state(1)
        for c in string2code(start):
            h = rnn.one_step(emb(c.view(1, 1).to(dev))[0], h)
        for _ in range(length):
            probs = torch.softmax(rnn.decode(h)[0], dim=-1)
            probs[0] = 0.0  # the padding symbol is never written
            if argmax:
                nxt = int(probs.argmax())
            else:
                nxt = int(torch.multinomial(probs / probs.sum(), 1))
            out.append(code2string([nxt]))
            h = rnn.one_step(emb(torch.tensor([[nxt]], device=dev))[0], h)
    return "".join(out)
