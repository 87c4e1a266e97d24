# lose: Q1
# message: tp3_forward_ignores_h
# why: forward always starts from init_state, whatever state it is given
class RNN(RNN):
    def forward(self, x, h=None):
        h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)
