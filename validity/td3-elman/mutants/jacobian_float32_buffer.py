# lose: Ex3-Q2
# message: dtype
# why: fills a torch.zeros(T, H, H, d) buffer created in float32, so float64 inputs give a float32 Jacobian
def jacobian_h_U(U, W, x):
    h = elman_states(U, W, x)
    T, (H, d) = x.shape[0], U.shape
    J = torch.zeros(T, H, H, d)
    dh = x.new_zeros(H, H, d)
    for t in range(T):
        direct = torch.eye(H, dtype=x.dtype)[:, :, None] * x[t]
        dh = (1 - h[t] ** 2)[:, None, None] * (direct + torch.einsum("ik,kab->iab", W, dh))
        J[t] = dh
    return J
