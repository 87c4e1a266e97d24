# lose: Q1
# message: tp3_forward_tuple
# why: forward returns (all states, last state) instead of one tensor
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states), h
