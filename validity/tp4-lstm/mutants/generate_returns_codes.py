# target: generate.py
# lose: Q3
# message: tp4_gen_returns_codes
# why: returns the list of generated codes instead of the text
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))
            symbol = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax(-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return string2code(start).tolist() + generated
