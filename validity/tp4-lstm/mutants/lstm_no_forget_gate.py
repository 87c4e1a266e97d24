# lose: Q5b
# message: tp4_lstm_no_forget_gate
# why: leaves out the forget gate: c' = c + i * c~
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.gates = {}
        self.W_i = nn.Linear(latent + dim, latent)
        self.W_C = nn.Linear(latent + dim, latent)
        self.W_o = nn.Linear(latent + dim, latent)
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        h, c = state
        hx = torch.cat([h, x], dim=-1)
        i = torch.sigmoid(self.W_i(hx))
        o = torch.sigmoid(self.W_o(hx))
        c = c + i * torch.tanh(self.W_C(hx))
        return o * torch.tanh(c), c
