# lose: Q2
# message: tp4_mce_python_loop
# why: loops over the time steps in Python (right value, but not vectorised as the lab asks)
def maskedCrossEntropy(output, target, padcar):
    total, count = 0.0, 0
    for t in range(output.shape[0]):
        mask = target[t] != padcar
        total = total + (F.cross_entropy(output[t], target[t], reduction="none") * mask).sum()
        count = count + mask.sum()
    return total / count
