# lose: Q2
# message: tp3_train_test_metrics
# why: the "test" figures are measured on the training loader
def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        total, correct, count = 0.0, 0, 0
        for x, y in train_loader:
            scores = classify(model, x.transpose(0, 1))
            loss = F.cross_entropy(scores, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
        history["train_loss"].append(total / count)
        history["train_acc"].append(correct / count)
        test_loss, test_acc = evaluate_classifier(model, train_loader)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
