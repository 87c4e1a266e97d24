# lose: Ex3-Q3
# message: td3_recurrence_transposed
# why: sends the gradient back with W instead of W transpose
def bptt_grad_U(U, W, x, grad_h):
    h = elman_states(U, W, x)
    grad_U = torch.zeros_like(U)
    back = x.new_zeros(U.shape[0])
    for t in reversed(range(x.shape[0])):
        back = (grad_h[t] + W @ back) * (1 - h[t] ** 2)
        grad_U = grad_U + torch.outer(back, x[t])
    return grad_U
