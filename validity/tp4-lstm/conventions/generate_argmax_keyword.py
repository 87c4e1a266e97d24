# convention: generate(..., argmax=True): greedy by default, sampling when argmax=False (no sample keyword)
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, argmax=True):
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start):
            state = rnn.one_step(emb(code.view(1, 1))[0], state)
        out = []
        for _ in range(maxlen):
            logits = decoder(rnn.hidden(state))
            if argmax:
                nxt = int(logits.argmax(dim=-1))
            else:
                nxt = int(torch.distributions.Categorical(logits=logits).sample())
            if nxt == eos:
                break
            out.append(nxt)
            state = rnn.one_step(emb(torch.tensor([[nxt]]))[0], state)
    return start + code2string(out)
