# why: Jacobian with explicit index loops and its own states; BPTT as the contraction of the Jacobian with grad_h
def jacobian_h_U(U, W, x):
    H, d = U.shape
    T = x.shape[0]
    J = torch.zeros(T, H, H, d, dtype=U.dtype, device=U.device)
    h_prev = torch.zeros(H, dtype=U.dtype, device=U.device)
    for t in range(T):
        h_t = torch.tanh(U @ x[t] + W @ h_prev)
        for i in range(H):
            for a in range(H):
                direct = x[t] if i == a else torch.zeros(d, dtype=U.dtype, device=U.device)
                recurrent = sum(W[i, k] * J[t - 1, k, a] for k in range(H)) if t > 0 else 0
                J[t, i, a] = (1 - h_t[i] ** 2) * (direct + recurrent)
        h_prev = h_t
    return J


def bptt_grad_U(U, W, x, grad_h):
    return torch.einsum("ti,tiab->ab", grad_h, jacobian_h_U(U, W, x))
