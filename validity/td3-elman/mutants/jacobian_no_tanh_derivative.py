# lose: Ex3-Q2
# message: td3_missing_tanh_derivative
# why: the recursion forgets the diag(1 - h_t^2) factor
def jacobian_h_U(U, W, x):
    H, d = U.shape
    J, out = torch.zeros(H, H, d, dtype=x.dtype), []
    for t in range(x.shape[0]):
        direct = torch.zeros(H, H, d, dtype=x.dtype)
        direct[torch.arange(H), torch.arange(H)] = x[t]
        J = direct + torch.einsum("ij,jab->iab", W, J)
        out.append(J)
    return torch.stack(out)
