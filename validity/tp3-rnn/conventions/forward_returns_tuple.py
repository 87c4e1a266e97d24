# convention: forward returns a tuple (all states (L, B, H), last state (B, H)), like torch.nn.RNN; Q2-Q4 unpack it
# price: Q1=1
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.input2hidden = nn.Linear(dim, latent)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
        self.hidden2output = nn.Linear(latent, output)

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x) + self.hidden2hidden(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        outputs = []
        for x_t in x:
            h = self.one_step(x_t, h)
            outputs.append(h)
        return torch.stack(outputs), h

    def decode(self, h):
        return self.hidden2output(h)


def classify(model, x):
    _, h_last = model(x)
    return model.decode(h_last)


def forecast(model, x, horizon):
    _, h = model(x)
    y = model.decode(h)
    ys = [y]
    for _ in range(horizon - 1):
        h = model.one_step(y, h)
        y = model.decode(h)
        ys.append(y)
    return torch.stack(ys)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(where), stations_as_batch(y).to(where)
            states, _ = model(x)
            loss = F.mse_loss(model.decode(states), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * y.shape[1]
            count += y.shape[1]
        losses.append(total / count)
    return losses


def generate_fixed(rnn, emb, start, length, *, sample=False):
    where = next(rnn.parameters()).device
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            _, h = rnn(emb(codes.view(-1, 1).to(where)), h)
        for _ in range(length):
            scores = rnn.decode(h)[0].clone()
            scores[0] = -float("inf")
            if sample:
                code = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                code = scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    return start + code2string(generated)
