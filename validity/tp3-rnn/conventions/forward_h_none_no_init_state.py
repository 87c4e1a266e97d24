# convention: forward(x, h=None) building the zero state inline, as the course skeleton has no init_state method; generation starts from forward(x) or an explicit torch.zeros(1, latent)
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.input2hidden = nn.Linear(dim, latent)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = x.new_zeros(x.shape[1], self.latent)
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.hidden2output(h)


def generate_fixed(rnn, emb, start, length, *, sample=False):
    dev = next(rnn.parameters()).device
    text = start
    with torch.no_grad():
        codes = string2code(start).to(dev)
        if len(codes) > 0:
            h = rnn(emb(codes[:, None]))[-1]
        else:
            h = torch.zeros(1, rnn.latent, device=dev)
        for _ in range(length):
            scores = rnn.decode(h)[0]
            scores[0] = -float("inf")
            if sample:
                nxt = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                nxt = scores.argmax().view(1)
            text += code2string(nxt.tolist())
            h = rnn.one_step(emb(nxt.view(1, 1))[0], h)
    return text
