# why: demo — generation never returns, and the nucleus crashes.
# base: reference
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    out = list(start)
    while len(out) < maxlen:  # nothing is ever appended
        pass
    return "".join(out)


def p_nucleus(decoder, alpha):
    def compute(h):
        probs = torch.softmax(decoder(h), dim=-1)
        return probs[probs.cumsum(-1) < alpha][1000]
    return compute
