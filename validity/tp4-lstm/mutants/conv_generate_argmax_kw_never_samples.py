# target: generate.py
# lose: Q3
# message: tp4_gen_sample_argmax
# why: generate(..., argmax=True) whose argmax=False branch takes the max of the softmax instead of drawing from it
def generate(rnn, emb, decoder, eos, start="", maxlen=200, argmax=True):
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start):
            state = rnn.one_step(emb(code.view(1)), state)
        out = []
        for _ in range(maxlen):
            logits = decoder(rnn.hidden(state))
            if argmax:
                nxt = int(logits.argmax(dim=-1))
            else:
                probs = torch.softmax(logits, dim=-1)
                nxt = int(probs.max(dim=-1)[1])
            if nxt == eos:
                break
            out.append(nxt)
            state = rnn.one_step(emb(torch.tensor([nxt])), state)
    return start + code2string(out)
