# lose: Q5b
# message: tp4_state_not_carried
# why: forward passes the initial state to every step instead of the state returned by the previous one
class LSTM(LSTM):
    def forward(self, x, h=None):
        state = self.init_state(x.shape[1]) if h is None else h
        hiddens = []
        for x_t in x:
            new = self.one_step(x_t, state)
            hiddens.append(self.hidden(new))
        return torch.stack(hiddens)
