# lose: Q1, Q2, Q3, Q4
# message: look_ahead
# why: each step reads its input plus the next one, so the state at t already knows x_{t+1}
class RNN(RNN):
    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        ahead = torch.cat([x[1:], torch.zeros_like(x[:1])])
        states = []
        for x_t, x_next in zip(x, ahead):
            h = self.one_step(x_t + x_next, h)
            states.append(h)
        return torch.stack(states)
