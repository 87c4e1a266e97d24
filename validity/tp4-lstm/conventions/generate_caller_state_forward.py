# convention: generate for a model driven by forward(x, h): the caller creates h = torch.zeros(1, rnn.latent), feeds each code as a (1, 1) tensor embedded to (1, 1, D) through rnn(x, h), keeps the last output as h, decodes with decoder(h)
# price: Q3=0.25
# (its rnn(x, h) calls cannot carry an LSTM's cell state c: the (h, c) test is really missing, 0.25)
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    device = next(rnn.parameters()).device
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent, device=device)

        def feed(code, h):
            x = emb(torch.tensor([[code]], device=device))  # (1, 1, D)
            return rnn(x, h)[-1]  # last hidden vector (1, H)

        for code in string2code(start).tolist():
            h = feed(code, h)
        generated = []
        for _ in range(maxlen):
            logits = decoder(h)[0]
            if sample:
                code = torch.multinomial(torch.softmax(logits, dim=-1), 1).item()
            else:
                code = logits.argmax().item()
            if code == eos:
                break
            generated.append(code)
            h = feed(code, h)
    return start + code2string(generated)
