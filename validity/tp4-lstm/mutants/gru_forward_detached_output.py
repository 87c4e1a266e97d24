# lose: Q5a
# message: tp4_learning_no_gradient
# why: GRU.forward returns the hidden vectors detached (.detach()): right values, but the cell's parameters never learn
def _gru_forward_detached(self, x, h=None):
    state = self.init_state(x.shape[1]) if h is None else h
    out = []
    for x_t in x:
        state = self.one_step(x_t, state)
        out.append(self.hidden(state))
    return torch.stack(out).detach()


GRU.forward = _gru_forward_detached
