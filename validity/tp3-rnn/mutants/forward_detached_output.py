# lose: Q1, Q2, Q3, Q4
# message: tp3_learning_no_gradient
# why: forward returns torch.stack(states).detach(): the values are right, but no gradient reaches the recurrence, so only a decoder can learn
def _detached_forward(self, x, h=None):
    if h is None:
        h = self.init_state(x.shape[1])
    states = []
    for x_t in x:
        h = self.one_step(x_t, h)
        states.append(h)
    return torch.stack(states).detach()


RNN.forward = _detached_forward
