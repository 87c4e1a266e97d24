# convention: raw nn.Parameters shaped like nn.Linear's weights (H, D), (H, H), (O, H), Xavier-initialised, applied as x @ W.T with torch.addmm; two hidden biases
class RNN(nn.Module):
    def __init__(self, dim, latent, output):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.weight_ih = nn.Parameter(nn.init.xavier_uniform_(torch.empty(latent, dim)))
        self.weight_hh = nn.Parameter(nn.init.orthogonal_(torch.empty(latent, latent)))
        self.bias_ih = nn.Parameter(torch.zeros(latent))
        self.bias_hh = nn.Parameter(torch.zeros(latent))
        self.weight_ho = nn.Parameter(nn.init.xavier_uniform_(torch.empty(output, latent)))
        self.bias_ho = nn.Parameter(torch.zeros(output))

    def init_state(self, batch):
        return self.weight_ih.new_zeros(batch, self.latent)

    def one_step(self, x, h):
        pre = torch.addmm(self.bias_ih, x, self.weight_ih.t()) + torch.addmm(self.bias_hh, h, self.weight_hh.t())
        return torch.tanh(pre)

    def forward(self, x, h=None):
        if h is None:
            h = self.init_state(x.shape[1])
        states = []
        for x_t in x:
            h = self.one_step(x_t, h)
            states.append(h)
        return torch.stack(states)

    def decode(self, h):
        return h @ self.weight_ho.t() + self.bias_ho
