# lose: Q1
# message: tp3_activation_relu
# why: ReLU instead of tanh in one_step
class RNN(RNN):
    def one_step(self, x, h):
        return torch.relu(self.input2hidden(x) + self.hidden2hidden(h))
