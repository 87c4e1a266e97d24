# lose: Ex3-Q3
# message: td3_bptt_transposed
# why: accumulates outer(x_t, delta_t), a (d, H) matrix, instead of outer(delta_t, x_t)
def bptt_grad_U(U, W, x, grad_h):
    h = elman_states(U, W, x)
    grad = torch.zeros(U.shape[1], U.shape[0], dtype=x.dtype)
    back = x.new_zeros(U.shape[0])
    for t in reversed(range(x.shape[0])):
        back = (grad_h[t] + W.T @ back) * (1 - h[t] ** 2)
        grad = grad + torch.outer(x[t], back)
    return grad
