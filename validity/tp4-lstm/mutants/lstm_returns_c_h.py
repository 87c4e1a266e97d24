# lose: Q5b
# message: tp4_lstm_state_swapped
# why: one_step returns (c', h') instead of (h', c')
class LSTM(LSTM):
    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        return c, o * torch.tanh(c)
