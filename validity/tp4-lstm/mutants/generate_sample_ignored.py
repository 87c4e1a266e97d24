# target: generate.py
# lose: Q3
# message: tp4_gen_sample_argmax
# why: the sample flag is accepted but the most probable symbol is always taken
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated = []
        while len(generated) < maxlen:
            symbol = decoder(rnn.hidden(state)).argmax(-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return start + code2string(generated)
