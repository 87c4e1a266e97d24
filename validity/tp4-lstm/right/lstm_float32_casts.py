# why: LSTM whose one_step casts its inputs with .float() (only runs in float32): graded in float32 with float32 tolerances
class LSTM(LSTM):
    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=1).float()
        f = torch.sigmoid(self.W_f(hx))
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = f * c.float() + i * torch.tanh(self.W_C(hx))
        return o * torch.tanh(c), c
