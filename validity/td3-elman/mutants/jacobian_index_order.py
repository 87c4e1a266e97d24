# lose: Ex3-Q2
# message: td3_jacobian_layout
# why: stacks the Jacobian as (T, H, d, H), the entry of U first and the component of h_t last
def jacobian_h_U(U, W, x):
    h = elman_states(U, W, x)
    eye = torch.eye(U.shape[0], dtype=x.dtype, device=x.device)
    dh = x.new_zeros(U.shape[0], *U.shape)
    jacobians = []
    for x_t, h_t in zip(x, h):
        dh = (1 - h_t ** 2)[:, None, None] * (eye[:, :, None] * x_t + torch.einsum("ik,kab->iab", W, dh))
        jacobians.append(dh.permute(1, 2, 0))
    return torch.stack(jacobians)
