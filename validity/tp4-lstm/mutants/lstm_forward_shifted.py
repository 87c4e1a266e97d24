# lose: Q5b
# message: tp4_forward_shifted
# why: forward records the state before each step (h0 first, the last state dropped) instead of after it
class LSTM(LSTM):
    def forward(self, x, h=None):
        state = self.init_state(x.shape[1]) if h is None else h
        hiddens = []
        for x_t in x:
            hiddens.append(self.hidden(state))
            state = self.one_step(x_t, state)
        return torch.stack(hiddens)
