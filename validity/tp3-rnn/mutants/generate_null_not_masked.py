# lose: Q4
# message: tp3_generate_null_symbol
# why: the null symbol 0 is not masked: when it wins, it writes nothing and the text is too short
def generate_fixed(rnn, emb, start, length, *, sample=False):
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            h = rnn(emb(codes.view(-1, 1)), h)[-1]
        for _ in range(length):
            scores = rnn.decode(h)[0]
            if sample:
                code = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                code = scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    return start + code2string(generated)
