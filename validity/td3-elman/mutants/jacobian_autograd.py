# lose: Ex3-Q2
# message: td3_uses_autograd
# why: asks torch.autograd for the Jacobian instead of programming the recursion
from torch.autograd.functional import jacobian as _jacobian


def jacobian_h_U(U, W, x):
    return _jacobian(lambda u: elman_states(u, W, x), U)
