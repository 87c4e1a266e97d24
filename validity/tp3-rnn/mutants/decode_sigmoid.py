# lose: Q1
# message: tp3_decode_sigmoid
# why: sigmoid inside decode
class RNN(RNN):
    def decode(self, h):
        return torch.sigmoid(self.hidden2output(h))
