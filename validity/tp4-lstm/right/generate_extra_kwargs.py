# target: generate.py
# why: generate with extra keyword arguments that have defaults (temperature, lstm flag), sampling with torch.distributions, a for loop over maxlen
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False, temperature=1.0, lstm=False):
    rnn_was_training = rnn.training
    rnn.eval()
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start):
            state = rnn.one_step(emb(code.view(1, 1))[0], state)
        out = []
        for _ in range(maxlen):
            logits = decoder(rnn.hidden(state)).squeeze(0) / temperature
            if sample:
                nxt = int(torch.distributions.Categorical(logits=logits).sample())
            else:
                nxt = int(torch.argmax(logits))
            if nxt == eos:
                break
            out.append(nxt)
            state = rnn.one_step(emb(torch.tensor([[nxt]]))[0], state)
    rnn.train(rnn_was_training)
    return start + code2string(out)
