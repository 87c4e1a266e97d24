# lose: Q1
# message: tp3_no_hidden_bias
# why: both Linears of the recurrence built with bias=False: the b of tanh(W_i x + W_h h + b) is gone
class RNN(RNN):
    def __init__(self, dim, latent, output):
        super().__init__(dim, latent, output)
        self.input2hidden = nn.Linear(dim, latent, bias=False)
        self.hidden2hidden = nn.Linear(latent, latent, bias=False)
