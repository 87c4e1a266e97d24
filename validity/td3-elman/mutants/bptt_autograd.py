# lose: Ex3-Q3
# message: td3_uses_autograd
# why: lets .backward() compute the gradient instead of writing BPTT
def bptt_grad_U(U, W, x, grad_h):
    u = U.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        (grad_h * elman_states(u, W, x)).sum().backward()
    return u.grad.detach()
