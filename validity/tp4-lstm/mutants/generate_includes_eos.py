# target: generate.py
# lose: Q3
# message: tp4_gen_includes_eos
# why: appends the EOS symbol before stopping and decodes with id2lettre, so "<EOS>" ends up in the text
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    from textloader import id2lettre

    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))
            symbol = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax(-1).item()
            generated.append(symbol)
            if symbol == eos:
                break
            state = _feed(rnn, emb, state, [symbol])
    return start + "".join(id2lettre[c] for c in generated)
