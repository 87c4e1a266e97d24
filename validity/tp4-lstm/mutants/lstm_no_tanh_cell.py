# lose: Q5b
# message: tp4_lstm_no_tanh_cell
# why: outputs h' = o * c' (no tanh on the cell state)
class LSTM(LSTM):
    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c + i * torch.tanh(self.W_C(hx))
        return o * c, c
