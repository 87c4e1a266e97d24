# lose: Q4
# message: tp5_bigru_uses_nn_gru
# why: uses nn.GRU(bidirectional=True), which the question forbids (two nn.GRUCell are asked for)
class BiGRUEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.gru = nn.GRU(input_size, hidden_size, bidirectional=True)

    def forward(self, x):
        return self.gru(x)
