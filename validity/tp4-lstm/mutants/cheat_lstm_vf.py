# lose: Q5b
# message: tp4_wraps_torch_cell
# why: calls torch's fused cell through torch._VF with its own weight tensors
class LSTM(LSTM):
    def __init__(self, dim, latent, output):
        nn.Module.__init__(self)
        self.dim, self.latent, self.output = dim, latent, output
        self.w_ih = nn.Parameter(torch.randn(4 * latent, dim) / latent ** 0.5)
        self.w_hh = nn.Parameter(torch.randn(4 * latent, latent) / latent ** 0.5)
        self.b = nn.Parameter(torch.zeros(4 * latent))
        self.decoder = nn.Linear(latent, output)

    def one_step(self, x, state):
        return tuple(torch._VF.lstm_cell(x, state, self.w_ih, self.w_hh, self.b, None))
