# lose: Ex3-Q3
# message: td3_derivative_wrong_step
# why: the list of states starts with h_{-1} = 0, so hs[t] is h_{t-1} and the tanh' factor comes one step early
def bptt_grad_U(U, W, x, grad_h):
    hs = torch.cat([x.new_zeros(1, U.shape[0]), elman_states(U, W, x)])  # h_{-1}, h_0, ..., h_{T-1}
    grad_U = torch.zeros_like(U)
    back = x.new_zeros(U.shape[0])
    for t in reversed(range(x.shape[0])):
        back = (grad_h[t] + W.T @ back) * (1 - hs[t] ** 2)
        grad_U = grad_U + torch.outer(back, x[t])
    return grad_U
