# lose: Q5b
# message: look_ahead
# why: each step reads its input plus the next one: a language model that sees the character it must predict
class LSTM(LSTM):
    def forward(self, x, h=None):
        state = self.init_state(x.shape[1]) if h is None else h
        ahead = torch.cat([x[1:], torch.zeros_like(x[:1])])
        hiddens = []
        for x_t, x_next in zip(x, ahead):
            state = self.one_step(x_t + x_next, state)
            hiddens.append(self.hidden(state))
        return torch.stack(hiddens)
