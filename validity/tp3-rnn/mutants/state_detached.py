# lose: Q1
# message: tp3_state_detached
# why: the state is detached at each step (copied from a truncated-BPTT recipe): no gradient through time
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h.detach())
            states.append(h)
        return torch.stack(states)
