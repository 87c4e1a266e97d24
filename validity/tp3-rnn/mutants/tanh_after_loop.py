# lose: Q1, Q4
# message: tp3_tanh_after_loop
# why: one_step is linear and tanh is applied once to all the states after the loop; a linear recurrence also cannot learn characters beyond unigram frequencies, so the Q4 learning test fails too (calibrate_tp3 --mistakes: 2.99-3.37 nats, threshold 2.80)
class RNN(RNN):
    def one_step(self, x, h):
        return self.input2hidden(x) + self.hidden2hidden(h)

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.tanh(torch.stack(states))
