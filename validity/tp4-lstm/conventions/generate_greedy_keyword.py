# convention: generate(..., greedy=True): greedy by default, sampling from the softmax when greedy=False
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, greedy=True):
    rnn_device = rnn.hidden(rnn.init_state(1)).device
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start):
            state = rnn.one_step(emb(code.view(1).to(rnn_device)), state)
        generated = []
        for _ in range(maxlen):
            logits = decoder(rnn.hidden(state))
            if greedy:
                token = torch.argmax(logits, dim=-1)
            else:
                token = torch.multinomial(torch.softmax(logits, dim=-1), num_samples=1).squeeze(-1)
            if token.item() == eos:
                break
            generated.append(token.item())
            state = rnn.one_step(emb(token.view(1)), state)
    return start + code2string(generated)
