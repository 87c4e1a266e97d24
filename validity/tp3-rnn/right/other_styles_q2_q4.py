# why: the other questions written differently: classify by index, evaluate with len(loader.dataset), SGD training, stations via transpose, forecast with torch.cat, one-hot by torch.eye, generation re-reading the whole text and sampling with Categorical
def classify(model, x):
    states = model.forward(x)
    return model.decode(states[x.shape[0] - 1])


def evaluate_classifier(model, loader):
    model.eval()
    losses, good = 0.0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = classify(model, xb.permute(1, 0, 2))
            losses += nn.CrossEntropyLoss(reduction="sum")(out, yb).item()
            good += (torch.max(out, dim=1)[1] == yb).float().sum().item()
    return losses / len(loader.dataset), good / len(loader.dataset)


def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    optim = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = {key: [] for key in ("train_loss", "train_acc", "test_loss", "test_acc")}
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optim.zero_grad()
            loss = F.cross_entropy(classify(model, xb.permute(1, 0, 2)), yb)
            loss.backward()
            optim.step()
        for split, loader in (("train", train_loader), ("test", test_loader)):
            loss, acc = evaluate_classifier(model, loader)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_acc"].append(acc)
    return history


def stations_as_batch(x):
    return x.transpose(0, 1).flatten(1, 2)


def forecast(model, x, horizon):
    h = model(x)[-1]
    y = model.decode(h)
    out = y.unsqueeze(0)
    for _ in range(1, horizon):
        h = model.one_step(y, h)
        y = model.decode(h)
        out = torch.cat([out, y.unsqueeze(0)])
    return out


class OneHotLinear(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.register_buffer("eye", torch.eye(vocab_size))
        self.proj = nn.Linear(vocab_size, dim)

    def forward(self, x):
        return self.proj(self.eye[x])


def generate_fixed(rnn, emb, start, length, *, sample=False):
    codes = string2code(start).tolist()
    text = start
    with torch.no_grad():
        for _ in range(length):
            if codes:
                h = rnn(emb(torch.tensor(codes).unsqueeze(1)))[-1]
            else:
                h = rnn.init_state(1)
            scores = rnn.decode(h).squeeze(0)
            scores[0] = float("-inf")
            if sample:
                code = int(torch.distributions.Categorical(logits=scores).sample())
            else:
                code = int(torch.argmax(scores))
            codes.append(code)
            text += code2string([code])
    return text
