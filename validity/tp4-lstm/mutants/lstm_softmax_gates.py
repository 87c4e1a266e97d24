# lose: Q5b
# message: tp4_lstm_softmax_gates
# why: uses softmax as the gate activation instead of sigmoid
class LSTM(LSTM):
    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.softmax(self.W_f(hx), dim=-1)
        i = torch.softmax(self.W_i(hx), dim=-1)
        o = torch.softmax(self.W_o(hx), dim=-1)
        c = f * c + i * torch.tanh(self.W_C(hx))
        return o * torch.tanh(c), c
