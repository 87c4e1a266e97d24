# lose: Q1
# message: tp3_decode_softmax
# why: softmax inside decode, then CrossEntropyLoss on top
class RNN(RNN):
    def decode(self, h):
        return torch.softmax(self.hidden2output(h), dim=-1)
