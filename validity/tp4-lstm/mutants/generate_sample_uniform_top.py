# target: generate.py
# lose: Q3
# message: tp4_gen_sample_distribution
# why: samples from the logits divided by a temperature of 3 left in from an experiment, not from the model's distribution
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = _prime(rnn, emb, start)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(rnn.hidden(state))
            if sample:
                symbol = torch.multinomial(torch.softmax(logits / 3.0, -1), 1).item()
            else:
                symbol = logits.argmax(-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = _feed(rnn, emb, state, [symbol])
    return start + code2string(generated)
