# convention: generate(..., sampling=False): the sampling switch is named sampling, greedy by default
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, sampling=False):
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start).tolist():
            state = rnn.one_step(emb(torch.tensor([code])), state)
        codes = []
        while len(codes) < maxlen:
            p = torch.softmax(decoder(rnn.hidden(state)), dim=-1).squeeze(0)
            nxt = torch.multinomial(p, 1).item() if sampling else p.argmax().item()
            if nxt == eos:
                break
            codes.append(nxt)
            state = rnn.one_step(emb(torch.tensor([nxt])), state)
    return start + code2string(codes)
