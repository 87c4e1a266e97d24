# target: generate.py
# lose: Q3
# message: tp4_gen_no_stop_at_eos
# why: generate written for forward(x, h) with h = torch.zeros(1, rnn.latent) made by the caller, that never stops at EOS (code2string hides the symbols after it)
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        h = torch.zeros(1, rnn.latent)
        for code in string2code(start).tolist():
            h = rnn(emb(torch.tensor([[code]])), h)[-1]
        generated = []
        for _ in range(maxlen):
            logits = decoder(h)[0]
            code = torch.multinomial(torch.softmax(logits, -1), 1).item() if sample else logits.argmax().item()
            generated.append(code)
            h = rnn(emb(torch.tensor([[code]])), h)[-1]
    return start + code2string(generated)
