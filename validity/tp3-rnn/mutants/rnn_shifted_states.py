# lose: Q1
# message: tp3_forward_shifted
# why: each state is stored before one_step, so forward returns h0..h_{L-1} (h0 in, last state out)
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            states.append(h)
            h = self.one_step(x_t, h)
        return torch.stack(states)
