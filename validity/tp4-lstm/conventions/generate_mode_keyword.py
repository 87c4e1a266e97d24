# convention: generate(..., mode="greedy"): a string mode, "greedy" (default) or "sample"
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, mode="greedy"):
    if mode not in ("greedy", "sample"):
        raise ValueError(f"mode must be 'greedy' or 'sample', not {mode!r}")
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start).tolist():
            state = rnn.one_step(emb(torch.tensor([[code]]))[0], state)
        result = []
        while len(result) < maxlen:
            logits = decoder(rnn.hidden(state))[0]
            if mode == "sample":
                code = int(torch.multinomial(logits.softmax(-1), 1))
            else:
                code = int(logits.argmax())
            if code == eos:
                break
            result.append(code)
            state = rnn.one_step(emb(torch.tensor([[code]]))[0], state)
    return start + code2string(result)
