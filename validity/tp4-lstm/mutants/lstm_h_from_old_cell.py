# lose: Q5b
# message: tp4_lstm_old_cell
# why: computes h' from the previous cell (o * tanh(c)) before updating c
class LSTM(LSTM):
    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        h = o * torch.tanh(c)
        c = f * c + i * torch.tanh(self.W_C(hx))
        return h, c
