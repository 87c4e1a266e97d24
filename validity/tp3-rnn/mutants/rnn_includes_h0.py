# lose: Q1
# message: tp3_forward_includes_h0
# why: the list of states starts with h0, so forward returns L+1 states
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = [h]
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)
