# target: generate.py
# lose: Q3
# message: tp4_gen_state_protocol
# why: decodes the state directly instead of rnn.hidden(state): works for the RNN and GRU, breaks for the LSTM's (h, c)
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start).tolist():
            state = rnn.one_step(emb(torch.tensor([code])), state)
        generated = []
        while len(generated) < maxlen:
            logits = decoder(state)
            symbol = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax(-1).item()
            if symbol == eos:
                break
            generated.append(symbol)
            state = rnn.one_step(emb(torch.tensor([symbol])), state)
    return start + code2string(generated)
