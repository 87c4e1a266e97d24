# why: extra keyword arguments with defaults everywhere (activation, bias, return flags, temperature), F.linear on raw (H, D) weights
import math


class RNN(nn.Module):
    def __init__(self, dim, latent, output, activation=torch.tanh, init_scale=1.0, device=None):
        super().__init__()
        self.dim, self.latent, self.output = dim, latent, output
        self.activation = activation
        bound = init_scale / math.sqrt(latent)
        self.weight_ih = nn.Parameter(torch.empty(latent, dim, device=device).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(latent, latent, device=device).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.zeros(latent, device=device))
        self.bias_hh = nn.Parameter(torch.zeros(latent, device=device))
        self.weight_out = nn.Parameter(torch.empty(output, latent, device=device).uniform_(-bound, bound))
        self.bias_out = nn.Parameter(torch.zeros(output, device=device))

    def init_state(self, batch):
        weight = next(self.parameters())
        return torch.zeros(batch, self.latent, dtype=weight.dtype, device=weight.device)

    def one_step(self, x, h, dropout=0.0):
        pre = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)
        return F.dropout(self.activation(pre), dropout, self.training)

    def forward(self, x, h=None, return_last=False, verbose=False):
        h = self.init_state(x.shape[1]) if h is None else h
        states = []
        for t in range(x.shape[0]):
            h = self.one_step(x[t], h)
            states.append(h)
        states = torch.stack(states)
        return (states, h) if return_last else states

    def decode(self, h, temperature=1.0):
        return F.linear(h, self.weight_out, self.bias_out) / temperature
