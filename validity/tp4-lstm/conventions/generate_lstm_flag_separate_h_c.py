# convention: generate(..., sample=False, lstm=False, temperature=1.0, verbose=False) for a model whose LSTM step is one_step(x, h, c): the caller creates h and c = torch.zeros(1, rnn.latent), the lstm flag selects one_step(x, h, c) -> (h, c) over one_step(x, h) -> h, decoder(h)
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, sample=False, lstm=False, temperature=1.0, verbose=False):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        c = torch.zeros(1, rnn.latent)

        def step(code, h, c):
            x = emb(torch.tensor([code]))  # (1, D)
            if lstm:
                return rnn.one_step(x, h, c)
            return rnn.one_step(x, h), c

        for code in string2code(start).tolist():
            h, c = step(code, h, c)
        out = []
        for i in range(maxlen):
            logits = decoder(h) / temperature
            if sample:
                code = torch.multinomial(torch.softmax(logits, dim=-1), 1).item()
            else:
                code = torch.argmax(logits, dim=-1).item()
            if verbose:
                print(i, repr(code2string([code])))
            if code == eos:
                break
            out.append(code)
            h, c = step(code, h, c)
    return start + code2string(out)
