# convention: generate for a model with PyTorch-style names: the caller creates h = torch.zeros(1, rnn.hidden_size) (and the pair (h, c) when lstm=True), calls rnn.one_step on emb of a (1,) code tensor (-> (1, D)) and decodes with rnn.decode(h) rather than the decoder argument
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False, lstm=False):
    with torch.no_grad():
        h = torch.zeros(1, rnn.hidden_size)
        state = (h, torch.zeros_like(h)) if lstm else h
        for c in string2code(start):
            state = rnn.one_step(emb(c.view(1)), state)
        text = []
        while len(text) < maxlen:
            h = state[0] if lstm else state
            probs = torch.softmax(rnn.decode(h), dim=1)
            c = torch.multinomial(probs, 1).view(1) if sample else probs.argmax(dim=1)
            if c.item() == eos:
                break
            text.append(c.item())
            state = rnn.one_step(emb(c), state)
    return start + code2string(text)
