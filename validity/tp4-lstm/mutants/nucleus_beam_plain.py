# target: generate.py
# lose: Q7
# message: tp4_nucleus_beam_outside
# why: generate_beam_nucleus ignores the nucleus: proposals are drawn from the full softmax
def generate_beam_nucleus(rnn, emb, decoder, eos, k, alpha, start="", maxlen=200):
    def sampled(h):
        q = torch.softmax(decoder(h), dim=-1)
        symbols = torch.multinomial(q, k)
        return torch.log(q.gather(-1, symbols)), symbols

    return beam_search(rnn, emb, decoder, eos, k, start, maxlen, sampled)
