# convention: generate_fixed(rnn, emb, start, length, sampling=False) — sampling chosen by a keyword named `sampling` (positional-or-keyword), greedy by default
def generate_fixed(rnn, emb, start, length, sampling=False):
    where = next(rnn.parameters()).device
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            h = rnn(emb(codes.view(-1, 1).to(where)), h)[-1]
        for _ in range(length):
            scores = rnn.decode(h)[0].clone()
            scores[0] = -float("inf")
            if sampling:
                code = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                code = scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    return start + code2string(generated)
