# why: the reference, plus a test cell that checks it against torch.autograd (outside the graded functions)
from torch.autograd.functional import jacobian as _autograd_jacobian

_U, _W, _x = torch.randn(3, 2), torch.randn(3, 3), torch.randn(4, 2)
_check = torch.allclose(jacobian_h_U(_U, _W, _x), _autograd_jacobian(lambda u: elman_states(u, _W, _x), _U), atol=1e-5)
