# lose: Q4
# message: tp5_bigru_layout_unknown
# why: two attribute names for one cell object (self.backward_cell = self.forward_cell): both directions share the weights
class BiGRUEncoder(BiGRUEncoder):
    def __init__(self, input_size, hidden_size):
        nn.Module.__init__(self)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.forward_cell = nn.GRUCell(input_size, hidden_size)
        self.backward_cell = self.forward_cell
