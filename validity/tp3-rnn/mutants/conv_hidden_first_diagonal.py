# lose: Q1
# message: tp3_diagonal_recurrence
# why: constructor RNN(hidden, input, output) (a past hand-ins' order) and a recurrent weight that is a vector multiplied elementwise (h * w_h) instead of an (H, H) matrix
class RNN(nn.Module):
    def __init__(self, hidden, input, output):
        super().__init__()
        self.latent, self.dim, self.output = hidden, input, output
        self.w_x = nn.Linear(input, hidden)
        self.w_h = nn.Parameter(torch.rand(hidden) * 0.5)
        self.w_y = nn.Linear(hidden, output)

    def init_state(self, batch):
        return torch.zeros(batch, self.latent, dtype=self.w_h.dtype, device=self.w_h.device)

    def one_step(self, x, h):
        return torch.tanh(self.w_x(x) + self.w_h * h)

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return self.w_y(h)
