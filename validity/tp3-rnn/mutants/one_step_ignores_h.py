# lose: Q1, Q2, Q3, Q4
# message: tp3_one_step_ignores_h
# why: one_step forgets the recurrent term W_h h (hidden2hidden defined but never used)
class RNN(RNN):
    def one_step(self, x, h):
        return torch.tanh(self.input2hidden(x))
