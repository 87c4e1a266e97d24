# convention: the course's protocol — forward(x, h) with h REQUIRED and no init_state; Q2-Q4 create the zero state themselves with torch.zeros(B, model.latent) and call model(x, h)
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.input2hidden = nn.Linear(dim, latent)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h):
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.hidden2output(h)


def classify(model, x):
    h0 = torch.zeros(x.shape[1], model.latent, dtype=x.dtype, device=x.device)
    return model.decode(model(x, h0)[-1])


def forecast(model, x, horizon):
    h0 = torch.zeros(x.shape[1], model.latent, dtype=x.dtype, device=x.device)
    h = model(x, h0)[-1]
    y = model.decode(h)
    predictions = [y]
    for _ in range(horizon - 1):
        h = model.one_step(y, h)
        y = model.decode(h)
        predictions.append(y)
    return torch.stack(predictions)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(where), stations_as_batch(y).to(where)
            h0 = torch.zeros(x.shape[1], model.latent, device=where)
            loss = F.mse_loss(model.decode(model(x, h0)), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * y.shape[1]
            count += y.shape[1]
        losses.append(total / count)
    return losses


def generate_fixed(rnn, emb, start, length, *, sample=False):
    weight = next(rnn.parameters())
    h = torch.zeros(1, rnn.latent, dtype=weight.dtype, device=weight.device)
    out = []
    with torch.no_grad():
        codes = string2code(start).to(weight.device)
        if len(codes) > 0:
            h = rnn(emb(codes.unsqueeze(1)), h)[-1]
        for _ in range(length):
            logits = rnn.decode(h)[0]
            logits[0] = float("-inf")  # never the null symbol
            if sample:
                c = torch.multinomial(torch.softmax(logits, -1), 1)[0]
            else:
                c = torch.argmax(logits)
            out.append(int(c))
            h = rnn.one_step(emb(c.view(1, 1))[0], h)
    return start + code2string(out)
