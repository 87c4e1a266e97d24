# lose: Q1, Q2, Q3, Q4
# message: tp3_state_not_updated
# why: the loop calls one_step(x_t, h) but never assigns the new state to h
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            states.append(self.one_step(x_t, h))
        return torch.stack(states)
