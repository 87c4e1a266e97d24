# lose: Ex3-Q2
# message: td3_missing_recurrence
# why: only the direct term delta_ia x_t[b], as if h_{t-1} did not depend on U
def jacobian_h_U(U, W, x):
    h = elman_states(U, W, x)
    H, d = U.shape
    out = []
    for t in range(x.shape[0]):
        J = torch.zeros(H, H, d, dtype=x.dtype, device=x.device)
        for i in range(H):
            J[i, i] = (1 - h[t, i] ** 2) * x[t]
        out.append(J)
    return torch.stack(out)
