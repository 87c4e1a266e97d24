# lose: Q1, Q4
# message: tp3_tanh_after_loop
# why: batch-first model (B, L, D) -> (B, L, H) with Q2-Q4 written batch-first, and one_step linear with tanh applied once to all the states after the loop; a linear recurrence cannot learn characters beyond unigram frequencies, so the Q4 learning test fails too (as the mutant tanh_after_loop)
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
        return self.input2hidden(x) + self.hidden2hidden(h)

    def forward(self, x, h=None):
        """x: (B, L, D), h: (B, H) or None -> states (B, L, H)."""
        batch, length, _ = x.shape
        if h is None:
            h = self.init_state(batch)
        states = []
        for t in range(length):
            h = self.one_step(x[:, t, :], h)
            states.append(h)
        return torch.tanh(torch.stack(states, dim=1))

    def decode(self, h):
        return self.hidden2output(h)


def classify(model, x):
    """x: (B, L, D) -> (B, C)."""
    return model.decode(model(x)[:, -1])


def evaluate_classifier(model, loader):
    where = next(model.parameters()).device
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(where), y.to(where)
            scores = classify(model, x)
            total_loss += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        total_loss, correct, count = 0.0, 0, 0
        for x, y in train_loader:
            x, y = x.to(where), y.to(where)
            scores = classify(model, x)
            loss = F.cross_entropy(scores, y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
        test_loss, test_acc = evaluate_classifier(model, test_loader)
        history["train_loss"].append(total_loss / count)
        history["train_acc"].append(correct / count)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history


def forecast(model, x, horizon):
    """x: (N, L, D) -> (N, horizon, D)."""
    h = model(x)[:, -1]
    prediction = model.decode(h)
    predictions = [prediction]
    for _ in range(horizon - 1):
        h = model.one_step(prediction, h)
        prediction = model.decode(h)
        predictions.append(prediction)
    return torch.stack(predictions, dim=1)


def train_forecaster(model, train_loader, epochs=10, lr=1e-3):
    where = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in train_loader:
            x = stations_as_batch(x).transpose(0, 1).to(where)  # (N, L, D)
            y = stations_as_batch(y).transpose(0, 1).to(where)
            loss = F.mse_loss(model.decode(model(x)), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * y.shape[0]
            count += y.shape[0]
        losses.append(total / count)
    return losses


def horizon_mse(model, loader, context, horizon):
    where = next(model.parameters()).device
    model_se, persistence_se = torch.zeros(horizon), torch.zeros(horizon)
    count = 0
    with torch.no_grad():
        for x, y in loader:
            window = stations_as_batch(torch.cat([x[:, :1], y], dim=1)).transpose(0, 1).to(where)  # (N, L, D)
            seen, future = window[:, :context], window[:, context:]
            predicted = forecast(model, seen, horizon)
            model_se += ((predicted - future) ** 2).transpose(0, 1).flatten(1).sum(1).cpu()
            persistence_se += ((seen[:, -1:] - future) ** 2).transpose(0, 1).flatten(1).sum(1).cpu()
            count += future[:, 0].numel()
    return model_se / count, persistence_se / count


def generate_fixed(rnn, emb, start, length, *, sample=False):
    where = next(rnn.parameters()).device
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            h = rnn(emb(codes.view(1, -1).to(where)), h)[:, -1]
        for _ in range(length):
            scores = rnn.decode(h)[0].clone()
            scores[0] = -float("inf")
            if sample:
                code = torch.multinomial(F.softmax(scores, dim=-1), 1)
            else:
                code = scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[:, 0], h)
    return start + code2string(generated)
