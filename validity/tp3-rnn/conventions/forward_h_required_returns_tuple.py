# convention: the 2023 scripts' protocol — forward(x, h) with h REQUIRED returning (all states, last state); Q2-Q4 create torch.zeros(B, model.latent) and unpack the pair
# price: Q1=1
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.lin_x = nn.Linear(dim, latent)
        self.lin_h = nn.Linear(latent, latent, bias=False)
        self.lin_y = nn.Linear(latent, output)

    def one_step(self, x, h):
        return torch.tanh(self.lin_x(x) + self.lin_h(h))

    def forward(self, x, h):
        hs = []
        for x_t in x:
            h = self.one_step(x_t, h)
            hs.append(h)
        return torch.stack(hs), h

    def decode(self, h):
        return self.lin_y(h)


def classify(model, x):
    h0 = torch.zeros(x.shape[1], model.latent).to(x)
    _, h = model(x, h0)
    return model.decode(h)


def forecast(model, x, horizon):
    h0 = torch.zeros(x.shape[1], model.latent).to(x)
    _, h = model(x, h0)
    out = []
    y = model.decode(h)
    for k in range(horizon):
        out.append(y)
        if k + 1 < horizon:
            h = model.one_step(y, h)
            y = model.decode(h)
    return torch.stack(out)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in train_loader:
            x, y = stations_as_batch(x).to(where), stations_as_batch(y).to(where)
            states, _ = model(x, torch.zeros(x.shape[1], model.latent, device=where))
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
        h = torch.zeros(1, rnn.latent, device=where)
        codes = string2code(start)
        if len(codes) > 0:
            _, h = rnn(emb(codes.view(-1, 1).to(where)), h)
        for _ in range(length):
            scores = rnn.decode(h)[0].clone()
            scores[0] = -float("inf")
            code = torch.multinomial(F.softmax(scores, dim=-1), 1) if sample else scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    return start + code2string(generated)
