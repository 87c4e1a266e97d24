# target: generate.py
# lose: Q3
# message: tp4_gen_ignores_start
# why: puts start in front of the result but never feeds it to the network: generation starts from the initial state
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = rnn.init_state(1)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))
            symbol = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax(-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return start + code2string(generated)
