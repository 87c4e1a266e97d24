# lose: Q1
# message: tp3_forward_drops_step
# why: off-by-one loop over range(L - 1): the last time step is never read
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for t in range(x.shape[0] - 1):
            h = self.one_step(x[t], h)
            states.append(h)
        return torch.stack(states)
