# lose: Q2
# message: tp3_train_train_metrics
# why: the epoch's training loss and accuracy are those of its last batch, not the mean over the epoch
def train_classifier(model, train_loader, test_loader, epochs=10, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        for x, y in train_loader:
            scores = classify(model, x.transpose(0, 1))
            loss = F.cross_entropy(scores, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history["train_loss"].append(loss.item())
        history["train_acc"].append((scores.argmax(1) == y).float().mean().item())
        test_loss, test_acc = evaluate_classifier(model, test_loader)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
