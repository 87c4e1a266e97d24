# target: generate.py
# lose: Q3
# message: tp4_gen_no_stop_at_eos
# why: keeps generating after EOS until maxlen (the text looks right because code2string stops at the first EOS)
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))
            symbol = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax(-1).item()
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return start + code2string(generated)
