# lose: Q5b
# message: tp4_state_c_not_carried
# why: LSTM whose forward(x, h, c) takes h and c as required arguments but feeds the initial c to every step (only h is carried)
class LSTM(LSTM):
    def forward(self, x, h, c):
        out = []
        for x_t in x:
            h, _ = self.one_step(x_t, (h, c))
            out.append(h)
        return torch.stack(out)
