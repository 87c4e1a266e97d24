# convention: Q2-Q4 functions with extra keyword flags of their own, all with defaults (device, verbose, clip, writer, return_states, temperature)
def classify(model, x, return_states=False):
    states = model(x)
    scores = model.decode(states[-1])
    return (scores, states) if return_states else scores


def evaluate_classifier(model, loader, device=None, verbose=False):
    device = device or next(model.parameters()).device
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.transpose(0, 1).to(device), y.to(device)
            scores = classify(model, x)
            total_loss += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    if verbose:
        print(f"loss {total_loss / count:.3f} acc {correct / count:.3f}")
    return total_loss / count, correct / count


def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3, clip=1.0, writer=None, verbose=False):
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        total_loss, correct, count = 0.0, 0, 0
        for x, y in train_loader:
            x, y = x.transpose(0, 1).to(device), y.to(device)
            scores = classify(model, x)
            loss = F.cross_entropy(scores, y)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
        test_loss, test_acc = evaluate_classifier(model, test_loader, device=device)
        for key, value in zip(history, (total_loss / count, correct / count, test_loss, test_acc)):
            history[key].append(value)
            if writer is not None:
                writer.add_scalar(key, value, epoch)
        if verbose:
            print(epoch, {k: v[-1] for k, v in history.items()})
    return history


def forecast(model, x, horizon, return_states=False):
    h = model(x)[-1]
    prediction = model.decode(h)
    predictions, states = [prediction], [h]
    for _ in range(horizon - 1):
        h = model.one_step(prediction, h)
        prediction = model.decode(h)
        predictions.append(prediction)
        states.append(h)
    if return_states:
        return torch.stack(predictions), torch.stack(states)
    return torch.stack(predictions)


def generate_fixed(rnn, emb, start, length, *, sample=False, temperature=1.0, verbose=False):
    where = next(rnn.parameters()).device
    generated = []
    with torch.no_grad():
        h = rnn.init_state(1)
        codes = string2code(start)
        if len(codes) > 0:
            h = rnn(emb(codes.view(-1, 1).to(where)), h)[-1]
        for _ in range(length):
            scores = rnn.decode(h)[0].clone() / temperature
            scores[0] = -float("inf")
            code = torch.multinomial(F.softmax(scores, dim=-1), 1) if sample else scores.argmax().view(1)
            generated.append(code.item())
            h = rnn.one_step(emb(code.view(1, 1))[0], h)
    text = start + code2string(generated)
    if verbose:
        print(text)
    return text
