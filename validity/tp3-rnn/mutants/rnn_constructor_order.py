# lose: Q1
# message: tp3_constructor_order
# why: the constructor reads (latent, dim, output), an order seen in past hand-ins; the other tests build the RNN through that order
_GivenRNN = RNN


class RNN(_GivenRNN):
    def __init__(self, latent, dim, output):
        super().__init__(dim, latent, output)
