# lose: Q2
# message: tp3_evaluate_accuracy_count
# why: the accuracy is the number of correct answers, never divided by the number of examples
def evaluate_classifier(model, loader):
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = classify(model, x.transpose(0, 1))
            total_loss += F.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct
