# why: demo — everything written, with three classic mistakes: the loss averages over padding too,
# why: the LSTM has no forget gate, and generation does not stop at EOS.
# base: reference
def maskedCrossEntropy(output, target, padcar):
    losses = F.cross_entropy(output.permute(1, 2, 0), target.t(), reduction="none")
    return (losses * (target.t() != padcar)).mean()  # divides by every position, padding included


class LSTM(RNN):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gate_i = nn.Linear(latent + dim, latent)
        self.gate_o = nn.Linear(latent + dim, latent)
        self.cand = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def init_state(self, batch):
        zeros = self.decoder.weight.new_zeros(batch, self.latent)
        return zeros, zeros.clone()

    def hidden(self, state):
        return state[0]

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=1)
        c = c + torch.sigmoid(self.gate_i(hx)) * torch.tanh(self.cand(hx))  # no forget gate
        return torch.sigmoid(self.gate_o(hx)) * torch.tanh(c), c
# target: generate.py
def generate(rnn, emb, decoder, eos, start="", maxlen=200, *, sample=False):
    with torch.no_grad():
        state = rnn.init_state(1)
        for code in string2code(start).tolist():
            state = rnn.one_step(emb(torch.tensor([code])), state)
        out = []
        for _ in range(maxlen):  # never looks at eos
            code = int(decoder(rnn.hidden(state)).argmax(-1))
            out.append(code)
            state = rnn.one_step(emb(torch.tensor([code])), state)
        return start + code2string(out)
