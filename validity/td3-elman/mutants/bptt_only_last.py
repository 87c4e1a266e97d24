# lose: Ex3-Q3
# message: td3_bptt_only_last
# why: starts from grad_h[T-1] and forgets the direct contribution grad_h[t] of the earlier steps
def bptt_grad_U(U, W, x, grad_h):
    h = elman_states(U, W, x)
    grad_U = torch.zeros_like(U)
    total = grad_h[-1]
    for t in reversed(range(x.shape[0])):
        back = total * (1 - h[t] ** 2)
        grad_U = grad_U + torch.outer(back, x[t])
        total = W.T @ back
    return grad_U
