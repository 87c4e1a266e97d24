# lose: Q5b
# message: tp4_state_c_not_carried
# why: forward carries h but restarts the memory c from zero at every step
class LSTM(LSTM):
    def forward(self, x, h=None):
        h0, c0 = self.init_state(x.shape[1]) if h is None else h
        hiddens, h_t = [], h0
        for x_t in x:
            h_t, _ = self.one_step(x_t, (h_t, c0))
            hiddens.append(h_t)
        return torch.stack(hiddens)
