# lose: Q1
# message: tp3_decode_softmax
# why: constructor RNN(input_size, hidden_size, output_size) with torch's names (no dim/latent attributes), and a softmax inside decode
class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.i2h = nn.Linear(input_size, hidden_size)
        self.h2h = nn.Linear(hidden_size, hidden_size, bias=False)
        self.h2o = nn.Linear(hidden_size, output_size)

    def init_state(self, batch):
        p = self.i2h.weight
        return torch.zeros(batch, self.hidden_size, dtype=p.dtype, device=p.device)

    def one_step(self, x, h):
        return torch.tanh(self.i2h(x) + self.h2h(h))

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        outputs = []
        for x_t in x:
            h = self.one_step(x_t, h)
            outputs.append(h)
        return torch.stack(outputs)

    def decode(self, h):
        return torch.softmax(self.h2o(h), dim=-1)
