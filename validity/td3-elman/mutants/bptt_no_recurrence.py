# lose: Ex3-Q3
# message: td3_missing_recurrence
# why: sums the direct contributions of every step but never sends the gradient back through W
def bptt_grad_U(U, W, x, grad_h):
    h = elman_states(U, W, x)
    grad_U = torch.zeros_like(U)
    for t in range(x.shape[0]):
        grad_U += torch.outer(grad_h[t] * (1 - h[t] ** 2), x[t])
    return grad_U
