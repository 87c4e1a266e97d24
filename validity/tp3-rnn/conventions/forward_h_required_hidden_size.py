# convention: the course's protocol with torch's names — RNN(input_size, hidden_size, output_size), forward(x, h) with h REQUIRED, no init_state; Q2-Q4 build h0 = torch.zeros(B, model.hidden_size)
class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.Wxh = nn.Linear(input_size, hidden_size)
        self.Whh = nn.Linear(hidden_size, hidden_size)
        self.Why = nn.Linear(hidden_size, output_size)

    def one_step(self, x, h):
        return torch.tanh(self.Wxh(x) + self.Whh(h))

    def forward(self, x, h):
        hiddens = []
        for i in range(x.size(0)):
            h = self.one_step(x[i], h)
            hiddens.append(h)
        return torch.stack(hiddens)

    def decode(self, h):
        return self.Why(h)


def classify(model, x):
    h = torch.zeros(x.size(1), model.hidden_size).to(x)
    hidden = model(x, h)
    return model.decode(hidden[-1])


def forecast(model, x, horizon):
    h = torch.zeros(x.size(1), model.hidden_size).to(x)
    h = model(x, h)[-1]
    outputs = []
    y = model.decode(h)
    outputs.append(y)
    for _ in range(1, horizon):
        h = model.one_step(y, h)
        y = model.decode(h)
        outputs.append(y)
    return torch.stack(outputs)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    dev = next(model.parameters()).device
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    mse = nn.MSELoss()
    epoch_losses = []
    for epoch in range(epochs):
        losses = []
        for x, y in train_loader:
            x = stations_as_batch(x).to(dev)
            y = stations_as_batch(y).to(dev)
            h = torch.zeros(x.size(1), model.hidden_size, device=dev)
            loss = mse(model.decode(model(x, h)), y)
            optim.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            losses.append(loss.item())
        epoch_losses.append(sum(losses) / len(losses))
    return epoch_losses


def generate_fixed(rnn, emb, start, length, *, sample=False):
    dev = next(rnn.parameters()).device
    with torch.no_grad():
        h = torch.zeros(1, rnn.hidden_size, device=dev)
        x = string2code(start)
        if len(x):
            h = rnn(emb(x.view(-1, 1).to(dev)), h)[-1]
        generated = []
        while len(generated) < length:
            scores = rnn.decode(h).squeeze(0)
            scores[0] = -1e9
            if sample:
                nxt = torch.distributions.Categorical(logits=scores).sample()
            else:
                nxt = scores.argmax()
            generated.append(nxt.item())
            h = rnn.one_step(emb(nxt.view(1, 1)).squeeze(0), h)
    return start + code2string(generated)
